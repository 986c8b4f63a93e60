/**
 * `npm run bench -- cli`: how fast the `strata` command starts. Wall time of whole processes, hyperfine
 * style (warm-up runs, then rounds that run every command once in turn, so that load on the machine falls
 * on all of them alike), against the baseline of the same run: a bare `node -e 0` of the same Node 24.
 *
 * - `node bin/strata.ts --help`, and `get pools` against a running Strata (`strata start --no-demo` as a
 *   child process, the default simulated fleet);
 * - the same through the `bin` link as npm installs it (`node_modules/.bin/strata` of a scratch project that
 *   installed this checkout, run with Node 24 first on the PATH, as npm scripts and npx run it);
 * - the first start with an empty compile cache (every module compiled and type-stripped once);
 * - `npx strata --help` in this checkout, and `npx --version` (npm's own start-up) beside it.
 *
 * Besides wall time, each Node process reports the CPU time it used (user + system, read at exit by a
 * `--require`d hook given to every Node command alike): on a loaded machine wall times stretch, CPU times
 * much less.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Figure, median, quantile, recordResults } from './support/results.ts';

const WARMUP = 3;
const ROUNDS = 20;
const COLD_RUNS = 5;
const NPX_RUNS = 5;
const TARGET_RATIO = 5;

const root = fileURLToPath(new URL('..', import.meta.url));
const cli = join(root, 'bin/strata.ts');
const node = process.execPath;
const scratch = mkdtempSync(join(tmpdir(), 'strata-bench-cli-'));
// Node 24 first on the PATH: what `#!/usr/bin/env node` finds under npm scripts and npx.
const env = {
  ...process.env,
  PATH: `${dirname(node)}${delimiter}${process.env.PATH ?? ''}`,
  TMPDIR: join(scratch, 'tmp'),
  NO_COLOR: '1',
};
mkdirSync(env.TMPDIR, { recursive: true });
// Every Node process (the baseline too) writes its CPU time to stderr as it exits.
const cpuHook = join(scratch, 'cpu-at-exit.cjs');
writeFileSync(
  cpuHook,
  "process.on('exit', () => { const u = process.cpuUsage(); require('fs').writeSync(2, '\\ncpu-us:' + (u.user + u.system) + '\\n'); });\n",
);
const measured = { ...env, NODE_OPTIONS: `--require=${cpuHook}` };

interface Command {
  name: string;
  file: string;
  args: string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

/** One run: wall time, and the CPU time the Node process reported (ms; NaN when it reported none). */
interface Sample {
  wall: number;
  cpu: number;
}

/** Runs a command once; a failed run fails the benchmark. */
function time(c: Command): Sample {
  const start = process.hrtime.bigint();
  const run = spawnSync(c.file, c.args, { cwd: c.cwd ?? root, env: c.env ?? measured, encoding: 'utf8' });
  const wall = Number(process.hrtime.bigint() - start) / 1e6;
  if (run.status !== 0) {
    throw new Error(`${c.name}: exit ${run.status}: ${run.stderr || run.error?.message}`);
  }
  const cpu = /cpu-us:(\d+)/.exec(run.stderr)?.[1];
  return { wall, cpu: cpu === undefined ? Number.NaN : Number(cpu) / 1000 };
}

/** Every command warmed up, then run once per round, in turn. */
function measure(commands: Command[], rounds: number, warmup: number): Map<string, Sample[]> {
  const samples = new Map(commands.map((c) => [c.name, [] as Sample[]]));
  for (let i = 0; i < warmup; i++) for (const c of commands) time(c);
  for (let i = 0; i < rounds; i++) for (const c of commands) samples.get(c.name)!.push(time(c));
  return samples;
}

const walls = (s: Sample[]) => s.map((x) => x.wall);
const cpus = (s: Sample[]) => s.map((x) => x.cpu);

/** Starts `strata start --no-demo` in its own process group and returns its URL and a stop function. */
async function startStrata(): Promise<{ url: string; stop: () => Promise<void> }> {
  const child = spawn(node, [cli, 'start', '--no-demo', '--port', '0'], {
    cwd: root,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /Strata admin API: (http:\/\/127\.0\.0\.1:\d+)\/v1/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`strata start exited ${code}: ${out}`)));
  });
  return {
    url,
    stop: async () => {
      process.kill(-child.pid!, 'SIGTERM');
      await exited;
    },
  };
}

/** A scratch project that installs this checkout as npm would (a `file:` dependency, its bin linked). */
function installedBin(): string {
  const project = join(scratch, 'project');
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), '{ "name": "bench-cli-consumer", "private": true }\n');
  execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', '--loglevel=error', root], {
    cwd: project,
    env,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return join(project, 'node_modules/.bin/strata');
}

const ms = (v: number) => `${v.toFixed(0)} ms`;

async function main(): Promise<void> {
  const strata = await startStrata();
  const figures: Figure[] = [];
  try {
    const bin = installedBin();
    const bare: Command = { name: 'node -e 0', file: node, args: ['-e', '0'] };
    const commands: Command[] = [
      bare,
      { name: 'node bin/strata.ts --help', file: node, args: [cli, '--help'] },
      { name: 'node bin/strata.ts get pools', file: node, args: [cli, 'get', 'pools', '--url', strata.url] },
      { name: 'node_modules/.bin/strata --help', file: bin, args: ['--help'] },
      { name: 'node_modules/.bin/strata get pools', file: bin, args: ['get', 'pools', '--url', strata.url] },
    ];
    const samples = measure(commands, ROUNDS, WARMUP);
    const base = median(walls(samples.get(bare.name)!));
    const baseCpu = median(cpus(samples.get(bare.name)!));
    for (const c of commands) {
      const s = walls(samples.get(c.name)!);
      const m = median(s);
      figures.push({
        name: `${c.name}, wall (median of ${s.length})`,
        value: Math.round(m),
        unit: 'ms',
        ...(c === bare ? {} : { target: `< ${TARGET_RATIO}× node -e 0` }),
        note:
          c === bare
            ? `baseline; p90 ${ms(quantile(s, 0.9))}`
            : `${(m / base).toFixed(2)}× node -e 0; p90 ${ms(quantile(s, 0.9))}`,
      });
    }
    for (const c of commands) {
      const m = median(cpus(samples.get(c.name)!));
      figures.push({
        name: `${c.name}, CPU time (median of ${ROUNDS})`,
        value: Math.round(m),
        unit: 'ms',
        note: c === bare ? 'baseline' : `${(m / baseCpu).toFixed(2)}× node -e 0`,
      });
    }

    // The first start after an install: nothing compiled yet (a fresh compile cache per run).
    const cold = Array.from({ length: COLD_RUNS }, (_, i) => {
      const dir = join(scratch, `cold-${i}`);
      mkdirSync(dir);
      return time({
        name: 'cold --help',
        file: node,
        args: [cli, '--help'],
        env: { ...measured, TMPDIR: dir },
      }).wall;
    });
    figures.push({
      name: `node bin/strata.ts --help, empty compile cache (median of ${COLD_RUNS})`,
      value: Math.round(median(cold)),
      unit: 'ms',
      note: `${(median(cold) / base).toFixed(2)}× node -e 0; once per install (or Node upgrade)`,
    });
    const noCache = measure(
      [
        {
          name: 'no cache',
          file: node,
          args: [cli, '--help'],
          env: { ...measured, NODE_DISABLE_COMPILE_CACHE: '1' },
        },
      ],
      COLD_RUNS,
      1,
    )
      .get('no cache')!
      .map((x) => x.wall);
    figures.push({
      name: `node bin/strata.ts --help, NODE_DISABLE_COMPILE_CACHE=1 (median of ${COLD_RUNS})`,
      value: Math.round(median(noCache)),
      unit: 'ms',
      note: `${(median(noCache) / base).toFixed(2)}× node -e 0: what the cache saves`,
    });

    // npx: npm's own start-up (it reads the project's whole dependency tree to find the bin) comes first.
    const npx = measure(
      [
        { name: 'npx --version', file: 'npx', args: ['--version'], env },
        { name: 'npx strata --help', file: 'npx', args: ['strata', '--help'], env },
      ],
      NPX_RUNS,
      1,
    );
    const npxHelp = median(walls(npx.get('npx strata --help')!));
    const npxSelf = median(walls(npx.get('npx --version')!));
    const direct = median(walls(samples.get('node bin/strata.ts --help')!));
    figures.push({
      name: `npx strata --help (median of ${NPX_RUNS})`,
      value: Math.round(npxHelp),
      unit: 'ms',
      note: `${(npxHelp / base).toFixed(2)}× node -e 0; ${ms(npxHelp - direct)} more than node bin/strata.ts --help: npm's start-up and tree read`,
    });
    figures.push({
      name: `npx --version (median of ${NPX_RUNS})`,
      value: Math.round(npxSelf),
      unit: 'ms',
      note: "npm's bare start-up, for comparison",
    });
  } finally {
    await strata.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
  recordResults(
    'cli',
    `Start-up of the \`strata\` command: wall time of whole processes, ${WARMUP} warm-up runs then ${ROUNDS} rounds running each command once in turn; the baseline is \`node -e 0\` of the same Node (${process.version}) in the same rounds. \`get pools\` asks a running \`strata start --no-demo\` (default simulated fleet, a child process). The installed bin is \`node_modules/.bin/strata\` of a scratch project that installed this checkout with npm. Load average ${loadavg()[0]!.toFixed(1)} when it finished.`,
    figures,
  );
}

await main();
