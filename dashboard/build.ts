/**
 * Builds the web dashboard (dashboard/src, Preact + TSX + plain CSS) with esbuild into dashboard/dist:
 * `index.html` and content-hashed `assets/app-<hash>.js|css`, served at the root of the admin address by
 * `strata start` (local/dashboard-assets.ts) and by `strata dashboard`. Not committed: `npm start` and
 * `npm test` run it first (prestart, pretest); `npm run dashboard:build` runs it alone.
 *
 * The output is written to a scratch folder beside the target and renamed into place file by file,
 * index.html last, so a server reading the folder never sees a page whose assets are missing.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

/** The dashboard's folder (sources in `src/`). */
export const DASHBOARD_DIR = fileURLToPath(new URL('.', import.meta.url));

/** Where the built dashboard goes by default (gitignored). */
export const DIST_DIR = join(DASHBOARD_DIR, 'dist');

/** One output file and its size. */
export interface BuiltFile {
  /** Path relative to the output folder, e.g. `assets/app-3FQ2XK.js`. */
  path: string;
  bytes: number;
  gzipBytes: number;
}

/** What {@link buildDashboard} wrote. */
export interface DashboardBuild {
  outdir: string;
  files: BuiltFile[];
}

/** Builds the dashboard into `outdir` (default {@link DIST_DIR}). Throws esbuild's errors, naming file and line. */
export async function buildDashboard(outdir: string = DIST_DIR): Promise<DashboardBuild> {
  const scratch = `${outdir}.tmp-${process.pid}-${Date.now().toString(36)}`;
  rmSync(scratch, { recursive: true, force: true });
  try {
    const result = await build({
      entryPoints: { app: join(DASHBOARD_DIR, 'src/main.tsx') },
      outdir: join(scratch, 'assets'),
      entryNames: '[name]-[hash]',
      bundle: true,
      format: 'esm',
      platform: 'browser',
      // Evergreen browsers; nothing older is asked for by operators of a fleet console.
      target: ['chrome120', 'firefox120', 'safari17'],
      jsx: 'automatic',
      jsxImportSource: 'preact',
      minify: true,
      legalComments: 'none',
      metafile: true,
      logLevel: 'silent',
      define: { 'process.env.NODE_ENV': '"production"' },
    });
    const outputs = Object.keys(result.metafile.outputs).map((p) => basename(p));
    const script = outputs.find((f) => f.endsWith('.js'));
    const style = outputs.find((f) => f.endsWith('.css'));
    if (!script || !style)
      throw new Error(`dashboard build: expected a .js and a .css output, got ${outputs.join(', ')}`);
    const template = readFileSync(join(DASHBOARD_DIR, 'src/index.html'), 'utf8');
    if (!template.includes('<!-- assets -->')) {
      throw new Error('dashboard/src/index.html: the "<!-- assets -->" placeholder is missing');
    }
    const html = template.replace(
      '<!-- assets -->',
      `<link rel="stylesheet" href="/assets/${style}">\n    <script type="module" src="/assets/${script}"></script>`,
    );
    writeFileSync(join(scratch, 'index.html'), html);

    mkdirSync(join(outdir, 'assets'), { recursive: true });
    const fresh = new Set(outputs);
    for (const f of outputs) renameSync(join(scratch, 'assets', f), join(outdir, 'assets', f));
    renameSync(join(scratch, 'index.html'), join(outdir, 'index.html'));
    // Earlier builds' assets go once the new page no longer names them.
    for (const f of readdirSync(join(outdir, 'assets'))) {
      if (!fresh.has(f)) rmSync(join(outdir, 'assets', f), { force: true });
    }
    const files = ['index.html', ...outputs.map((f) => `assets/${f}`)].map((path) => {
      const bytes = readFileSync(join(outdir, path));
      return { path, bytes: bytes.length, gzipBytes: gzipSync(bytes).length };
    });
    return { outdir, files };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const started = Date.now();
  try {
    const out = await buildDashboard(process.argv[2] ?? DIST_DIR);
    const total = out.files.reduce((n, f) => n + f.gzipBytes, 0);
    process.stdout.write(
      `dashboard: built ${relative(process.cwd(), out.outdir) || '.'} in ${Date.now() - started} ms: ${out.files
        .map((f) => `${f.path} ${kb(f.bytes)} (${kb(f.gzipBytes)} gzip)`)
        .join(', ')}; ${kb(total)} gzip in all\n`,
    );
  } catch (error) {
    process.stderr.write(`dashboard: build failed: ${(error as Error).message}\n`);
    process.exitCode = 1;
  }
}
