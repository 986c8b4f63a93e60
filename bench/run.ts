/**
 * `npm run bench -- NAME [NAME...]`: runs the benchmarks in `bench/NAME.bench.ts` (all of them when no
 * name is given). Each benchmark measures against a baseline in the same run and writes its figures to
 * `bench/results/NAME.json` and a readable `bench/results/NAME.md` (see `bench/support/results.ts`).
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const benchDir = fileURLToPath(new URL('.', import.meta.url));
const available = readdirSync(benchDir)
  .filter((file) => file.endsWith('.bench.ts'))
  .map((file) => file.slice(0, -'.bench.ts'.length))
  .sort();

const requested = process.argv.slice(2);
const unknown = requested.filter((name) => !available.includes(name));
if (unknown.length > 0) {
  process.stderr.write(
    `bench: no benchmark named ${unknown.join(', ')}; available: ${available.join(', ') || 'none'}\n`,
  );
  process.exit(2);
}

let failed = false;
for (const name of requested.length > 0 ? requested : available) {
  process.stdout.write(`\n== bench ${name}\n`);
  // Each benchmark runs in its own process so that memory figures are not mixed up.
  const run = spawnSync(process.execPath, ['--expose-gc', `${benchDir}${name}.bench.ts`], {
    stdio: 'inherit',
  });
  if (run.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
