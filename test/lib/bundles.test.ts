/**
 * The ingress functions' bundles, built exactly as the stack builds them (lib/bundling.ts): they must not
 * contain the Kubernetes client (1.4 MB with undici: a 13× regression once went unnoticed), must stay
 * within their size budgets, and must still load.
 */
import { statSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { BUNDLING, INGRESS_BUNDLE_BUDGET_KB } from '../../lib/bundling.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));

async function bundle(name: string): Promise<{ bytes: number; packages: string[]; file: string }> {
  // Under the project, so that the bundle's external @aws-sdk/* imports resolve when it is loaded.
  const file = `${root}node_modules/.cache/strata-bundle-test/${name}.mjs`;
  const result = await build({
    entryPoints: [`${root}functions/handlers/${name}.ts`],
    bundle: true,
    outfile: file,
    metafile: true,
    logLevel: 'error',
    ...BUNDLING,
    sourcemap: false,
    mainFields: [...BUNDLING.mainFields],
    external: [...BUNDLING.external],
    banner: { js: BUNDLING.banner },
  });
  const inputs = Object.values(result.metafile.outputs).flatMap((o) => Object.keys(o.inputs));
  const packages = new Set(
    inputs.flatMap((path) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1] ?? []),
  );
  return { bytes: statSync(file).size, packages: [...packages].sort(), file };
}

describe('ingress bundles', { timeout: 60_000 }, () => {
  for (const [name, budget] of Object.entries(INGRESS_BUNDLE_BUDGET_KB)) {
    it(`${name}: no Kubernetes client, at most ${budget} KB, and it loads`, async () => {
      // Act
      const { bytes, packages, file } = await bundle(name);
      // Assess
      expect(packages).not.toContain('@kubernetes/client-node');
      expect(packages).not.toContain('undici');
      expect(Math.round(bytes / 1024)).toBeLessThanOrEqual(budget);
      // Tree-shaking kept what the entry point needs (functions/package.json: no import side effects).
      expect(typeof (await import(pathToFileURL(file).href)).handler).toBe('function');
    });
  }
});
