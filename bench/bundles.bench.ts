/**
 * Bundle size and cold init per Lambda function.
 *
 * Each handler is bundled exactly as the stack bundles it (lib/bundling.ts), with esbuild's metafile for the
 * size and its largest inputs. Cold init is the time a fresh Node process takes to import the bundle (module
 * evaluation: everything a Lambda init phase runs before the first event), measured in a child process per
 * sample, against the same for an empty bundle in the same run (the floor: Node's own module loading).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { BUNDLING, INGRESS_BUNDLE_BUDGET_KB } from '../lib/bundling.ts';
import { HANDLERS } from '../lib/control-plane.ts';
import { type Figure, median, recordResults } from './support/results.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
// Bundles live under the project (node_modules/.cache) so that external @aws-sdk/* imports resolve.
const outDir = join(root, 'node_modules/.cache/strata-bundles');
const SAMPLES = 7;

/** Functions whose bundle should stay small (they answer registries within seconds): lib/bundling.ts. */
const BUDGETS: Record<string, number> = INGRESS_BUNDLE_BUDGET_KB;
const KB = 1024;

async function bundle(name: string, entry: string): Promise<{ file: string; bytes: number; top: string }> {
  const file = join(outDir, name, 'index.mjs');
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    outfile: file,
    metafile: true,
    logLevel: 'error',
    ...BUNDLING,
    mainFields: [...BUNDLING.mainFields],
    external: [...BUNDLING.external],
    banner: { js: BUNDLING.banner },
  });
  return { file, bytes: statSync(file).size, top: largestPackages(result.metafile) };
}

/** The three packages contributing most bytes to the output, e.g. "@kubernetes/client-node 612 KB". */
function largestPackages(metafile: Metafile): string {
  const byPackage = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [path, { bytesInOutput }] of Object.entries(output.inputs)) {
      const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
      const key = match ? match[1]! : '(strata)';
      byPackage.set(key, (byPackage.get(key) ?? 0) + bytesInOutput);
    }
  }
  return [...byPackage.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3)
    .map(([pkg, bytes]) => `${pkg} ${Math.round(bytes / KB)} KB`)
    .join(', ');
}

/** Median ms for a fresh process to import `file`. */
function coldInit(file: string): number {
  const probe = `const t0 = performance.now(); await import(${JSON.stringify(file)}); process.stdout.write(String(performance.now() - t0));`;
  const samples: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', probe], {
      encoding: 'utf8',
      env: { ...process.env, AWS_REGION: 'us-east-1', TABLE_NAME: 'bench' },
    });
    if (run.status !== 0) throw new Error(`importing ${file} failed: ${run.stderr}`);
    samples.push(Number(run.stdout));
  }
  return median(samples);
}

rmSync(outDir, { recursive: true, force: true });
mkdirSync(join(outDir, 'empty'), { recursive: true });
const emptyFile = join(outDir, 'empty', 'index.mjs');
writeFileSync(emptyFile, 'export const handler = async () => ({});\n');
const floor = coldInit(emptyFile);

const figures: Figure[] = [{ name: 'cold init, empty module (floor)', value: floor, unit: 'ms' }];
for (const name of HANDLERS) {
  const entry = join(root, 'functions/handlers', `${name}.ts`);
  if (!existsSync(entry)) {
    figures.push({ name: `${name}: bundle`, value: 0, unit: 'KB', note: 'handler not present in this tree' });
    continue;
  }
  const { file, bytes, top } = await bundle(name, entry);
  const init = coldInit(file);
  figures.push({
    name: `${name}: bundle`,
    value: Math.round(bytes / KB),
    unit: 'KB',
    target: BUDGETS[name] !== undefined ? `≤ ${BUDGETS[name]} KB` : '≤ 1,536 KB',
    note: `largest: ${top}`,
  });
  figures.push({
    name: `${name}: cold init`,
    value: Math.round(init * 10) / 10,
    unit: 'ms',
    target: '≤ 200 ms',
    note: `${(init / floor).toFixed(1)}× the empty-module floor (median of ${SAMPLES} fresh processes)`,
  });
}

recordResults(
  'bundles',
  'Per-function bundle size (esbuild, minified ESM, @aws-sdk/* external as on Lambda) and cold init (import in a fresh process).',
  figures,
);
