/**
 * Following a live fleet with `strata`: `get -w` printing a change as it happens, `strata status` during a
 * rollout and after a halt, `describe pool|node|cluster|track`, and a node's update history as the control
 * plane recorded it. Child processes against a local Strata (embedded runtime, a small simulated fleet).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rolloutId } from '../../functions/core/model.ts';
import { type RunningStrata, startStrata } from '../../local/start.ts';
import { loadScenario } from '../../sim/index.ts';
import { fleetScenario } from '../rollout/scenarios.ts';

const cli = fileURLToPath(new URL('../../bin/strata.ts', import.meta.url));
const [first, second] = [`sha256:${'a'.repeat(64)}`, `sha256:${'b'.repeat(64)}`];
const image = 'quay.io/strata/rhcos-layered:follow';
let strata: RunningStrata;

function start(args: string[]): ChildProcess & { out: () => string; err: () => string } {
  const child = spawn(process.execPath, [cli, ...args], {
    env: { ...process.env, STRATA_URL: strata.url },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let [stdout, stderr] = ['', ''];
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return Object.assign(child, { out: () => stdout, err: () => stderr });
}

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = start(args);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: child.out(), stderr: child.err() }));
  });
}

async function until<T>(what: string, read: () => Promise<T> | T, ok: (v: T) => boolean, ms = 90_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not reached in ${ms} ms (last: ${String(value)})`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const answer = await fetch(`${strata.url}/v1${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return (await answer.json()) as T;
}

const statusOf = async (id: string) =>
  (await api<{ items: { id: string; status: string }[] }>('GET', '/rollouts')).items.find((r) => r.id === id)
    ?.status ?? 'absent';

beforeAll(async () => {
  const scenario = loadScenario(
    fleetScenario({
      clusters: [
        { name: 'alpha', labels: { env: 'test', canary: 'true' }, nodes: 2 },
        { name: 'beta', labels: { env: 'test' }, nodes: 3 },
      ],
    }),
  );
  strata = await startStrata({ scenario, port: 0, timeScale: 200, onWarning: () => {} });
}, 60_000);

afterAll(async () => {
  await strata?.stop();
});

describe('following a live fleet', { timeout: 180_000 }, () => {
  it('get -w prints the table once, then again when a track is applied; Ctrl-C ends it with exit 0', async () => {
    // Prepare
    const watch = start(['get', 'tracks', '-w']);
    await until('first view', watch.out, (o) => o === 'No resources found.\n', 30_000);
    await new Promise((r) => setTimeout(r, 4500)); // two more reads: nothing changed, nothing printed
    expect(watch.out()).toBe('No resources found.\n');
    // Act
    await api('PUT', '/tracks/follow', {
      name: 'follow',
      image,
      targets: { clusterSelector: { matchLabels: { env: 'test' } } },
      strategy: {
        waves: [{ name: 'first', clusterSelector: { matchLabels: { canary: 'true' } } }],
        soakSeconds: 3600,
      },
    });
    // Assess
    const shown = await until('second table', watch.out, (o) => o.includes('\nfollow '), 20_000);
    expect(shown).toMatch(
      /^No resources found\.\n\n# \d{4}-\d\d-\d\dT[\d:.]+Z\nNAME +IMAGE .*\nfollow +quay\.io\/strata\/rhcos-layered:follow /,
    );
    expect(shown.match(/^NAME /gm)).toHaveLength(1);
    const code = new Promise((r) => watch.on('close', r));
    watch.kill('SIGINT');
    expect(await code).toBe(0);
    expect(watch.err()).toBe('');
  });

  it('status during a rollout: per-wave bars, the soak; describe of the pool, cluster and track', async () => {
    // Prepare: the first wave (alpha) completes, then the rollout soaks for an hour.
    const id = rolloutId('follow', first);
    await api('POST', '/publish', { image, digest: first });
    await until(
      'soaking',
      () => statusOf(id),
      (s) => s === 'Soaking',
    );
    // Act
    const status = await run(['status']);
    // Assess
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(new RegExp(`^Rollouts in flight:\\n  ${id}  track follow  Soaking `));
    expect(status.stdout).toMatch(/\n {4}1\. first +\[#{24}\] 2\/2 nodes, 1\/1 clusters {2}current\n/);
    expect(status.stdout).toMatch(/\n {4}2\. rest +\[-{24}\] 0\/3 nodes, 0\/1 clusters {2}pending\n/);
    expect(status.stdout).toMatch(/\n {4}! soaking after wave "first": \d+s of soakSeconds 3600 left\n/);
    expect(status.stdout).toContain('\nHalted or stalled pools:\n  none\nUnreachable clusters:\n  none\n');

    const pool = await run(['describe', 'pool', 'alpha/worker']);
    expect(pool.code).toBe(0);
    expect(pool.stdout).toMatch(/^Name: +alpha\/worker\nState: +(Updating|Updated)\n/);
    expect(pool.stdout).toMatch(/\nMachines: +2 total, 2 updated, 2 ready, 0 degraded\n/);
    expect(pool.stdout).toMatch(
      /\nNodes:\n +NAME +STATUS +STATE +CONFIG +REASON\n +worker-0 +Ready +Done +rendered-worker-/,
    );
    expect(pool.stdout).toMatch(new RegExp(`\\nEvents \\(rollout ${id}\\):\\n +AGE +KIND`));

    const cluster = await run(['describe', 'cluster', 'beta']);
    expect(cluster.stdout).toMatch(/^Name: +beta\nEndpoint: +https:\/\/127\.0\.0\.1:\d+\n/);
    expect(cluster.stdout).toMatch(/\nAPI: +reachable \(3 nodes read now\)\n/);
    expect(cluster.stdout).toMatch(
      /\nPools:\n +NAME +STATE +CONFIG +UPDATED +NODES\n +worker +\w+ +rendered-worker-\w+ +\S+ +3\n/,
    );
    expect(cluster.stdout).toContain(`\nRollouts:\n  - ${id} Soaking`);

    const track = await run(['describe', 'track', 'follow', '-o', 'json']);
    const described = JSON.parse(track.stdout);
    expect(described.rollouts.map((r: { id: string }) => r.id)).toEqual([id]);
    expect(described.latest.blocked[0]).toContain('soaking after wave "first"');
    const text = await run(['describe', 'track', 'follow']);
    expect(text.stdout).toMatch(/\nWaves: +first, rest\n/);
    expect(text.stdout).toContain(`\nBlocked:\n  - rollout ${id}: soaking after wave "first"`);

    expect((await run(['describe', 'widget', 'x'])).code).toBe(2);
    const missing = await run(['describe', 'pool', 'alpha/nope']);
    expect(missing).toMatchObject({ code: 1, stderr: 'strata: pool "alpha/nope" not found\n' });
    await api('POST', `/rollouts/${id}/abort`, {});
  });

  it("describe node shows the node's update history; status names a halted rollout's degraded pool", async () => {
    // Prepare: beta's worker-1 fails its next update; the second digest halts there.
    strata.fleet!.injectFault({ updateFailure: { clusters: ['beta'], nodes: ['worker-1'], probability: 0 } });
    await api('PUT', '/tracks/follow', {
      name: 'follow',
      image,
      targets: { clusterSelector: { matchLabels: { env: 'test' } } },
    });
    const id = rolloutId('follow', second);
    // Act
    await api('POST', '/publish', { image, digest: second });
    await until(
      'halted',
      () => statusOf(id),
      (s) => s === 'Halted',
    );
    // Assess: the failed node's last attempt, with the daemon's reason.
    const failed = await run(['describe', 'node', 'beta/worker-1']);
    expect(failed.code).toBe(0);
    expect(failed.stdout).toMatch(/\nState: +Degraded \(.+\)\n/);
    expect(failed.stdout).toMatch(/\nBlocked:\n {2}- failed on rendered-worker-\w+/);
    const attempt =
      /\n {2}(\d+)\. rendered-worker-\w+ \+ quay\.io\/strata\/rhcos-layered@sha256:b{64}: failed after [\d.]+s, started \S+\n {5}reason: (.+)\n/.exec(
        failed.stdout,
      );
    expect(attempt).not.toBeNull();
    const json = JSON.parse(
      (await run(['describe', 'node', 'worker-1', '--cluster', 'beta', '-o', 'json'])).stdout,
    );
    const last = json.history.attempts.at(-1);
    expect(last).toMatchObject({ result: 'failed', reason: attempt![2] });
    expect(last.steps.map((s: { step: string }) => s.step)).toEqual(
      expect.arrayContaining(['cordon', 'target', 'degraded']),
    );

    // An updated node of the first rollout: cordon … uncordon, each step with the time since the last.
    const updated = await run(['describe', 'node', 'alpha/worker-0']);
    expect(updated.stdout).toMatch(
      /\n {2}1\. rendered-worker-\w+ \+ quay\.io\/strata\/rhcos-layered@sha256:a{64}: updated after [\d.]+s, started \S+\n {5}\S+ {2}cordon\n {5}\S+ {2}target \(\+[\d.]+s\)\n/,
    );
    expect(updated.stdout).toMatch(/ {2}uncordon \(\+[\d.]+s\)\n/);

    const status = await run(['status']);
    expect(status.stdout).toMatch(new RegExp(`\\n  ${id}  track follow  Halted `));
    expect(status.stdout).toMatch(
      /\nHalted or stalled pools:\n(?: {2}.*\n)* {2}beta\/worker: held: halted; worker-1 failed on rendered-worker-\w+ \+ quay\.io\/strata\/rhcos-layered@sha256:b{64}\n/,
    );
  });
});
