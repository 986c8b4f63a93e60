/**
 * The `strata` commands for a running Strata (get, describe, rollout, track, cluster, publish, plan), as child
 * processes against a local Strata (local/start.ts: embedded runtime, admin API, a small simulated fleet).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchItems, formatItems } from '../../bin/actions/get.ts';
import { createAdminClient } from '../../bin/client/index.ts';
import { watchView } from '../../bin/client/watch.ts';
import { rolloutId } from '../../functions/core/model.ts';
import { type RunningStrata, startStrata } from '../../local/start.ts';
import { loadScenario } from '../../sim/index.ts';
import { fleetScenario } from '../rollout/scenarios.ts';

const cli = fileURLToPath(new URL('../../bin/strata.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'strata-cli-'));
const digest = `sha256:${'e'.repeat(64)}`;
const id = rolloutId('canary', digest);
let strata: RunningStrata;

/** Runs `strata …` asynchronously (the server runs in this process, so the call must not block it). */
function run(
  args: string[],
  env: Record<string, string> = {},
  input?: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], {
      env: { ...process.env, STRATA_URL: strata.url, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    child.stdin.end(input);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The rollout's status, read from the admin API directly (polling through the CLI would be slow). */
async function rolloutStatus(): Promise<string> {
  const out = (await (await fetch(`${strata.url}/v1/rollouts`)).json()) as {
    items: { id: string; status: string }[];
  };
  return out.items.find((r) => r.id === id)?.status ?? 'absent';
}

async function waitForStatus(status: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while ((await rolloutStatus()) !== status) {
    if (Date.now() > deadline) throw new Error(`rollout ${id} never reached ${status}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

beforeAll(async () => {
  const scenario = loadScenario(
    fleetScenario({
      clusters: [
        { name: 'alpha', labels: { env: 'test', canary: 'true' }, nodes: 2 },
        // worker-0 … worker-10: natural order puts worker-2 before worker-10.
        { name: 'beta', labels: { env: 'test' }, nodes: 11 },
      ],
    }),
  );
  strata = await startStrata({ scenario, port: 0, timeScale: 200, onWarning: () => {} });
}, 60_000);

afterAll(async () => {
  await strata?.stop();
});

// Each test runs several CLI processes: generous time for a loaded machine (speed is measured in bench/).
describe('strata commands against a running Strata', { timeout: 120_000 }, () => {
  it('get clusters, pools and nodes as tables, JSON and YAML', async () => {
    const clusters = await run(['get', 'clusters']);
    expect(clusters.code).toBe(0);
    expect(clusters.stdout).toMatch(/^NAME +DRIVER +LABELS +POOLS +REACHABLE +AGE\n/);
    expect(clusters.stdout).toMatch(/alpha +agent +env=test,canary=true +worker +yes +\d+s\n/);
    const wide = await run(['get', 'clusters', '-o', 'wide']);
    expect(wide.stdout).toMatch(/alpha +agent +env=test,canary=true +worker .* https:\/\/127\.0\.0\.1:\d+ /);

    const pools = await run(['get', 'pools', '-o', 'wide']);
    expect(pools.stdout.split('\n')[0]).toMatch(
      /^CLUSTER +NAME +CONFIG +UPDATED .* AGE +ROLLOUT +HOLDS +PAUSED$/,
    );

    const nodes = await run(['get', 'nodes', '--cluster', 'beta', '-o', 'yaml']);
    expect(nodes.code).toBe(0);
    expect(nodes.stdout).toContain('kind: nodes');
    expect(nodes.stdout.match(/clusterId: beta/g)).toHaveLength(11);

    // Natural order of names; no colour when stdout is not a terminal.
    const table = await run(['get', 'nodes', '--cluster', 'beta']);
    expect(
      table.stdout
        .split('\n')
        .slice(1, -1)
        .map((l) => l.split(/ +/)[1]),
    ).toEqual(Array.from({ length: 11 }, (_, i) => `worker-${i}`));
    expect(table.stdout).not.toContain('\x1b[');

    const wrong = await run(['get', 'widgets']);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('get widgets: unknown kind');
    const format = await run(['get', 'pools', '-o', 'xml']);
    expect(format.code).toBe(2);
  });

  it('get KIND NAME shows one object, names an ambiguous one, and exits 1 on an unknown one', async () => {
    const cluster = await run(['get', 'cluster', 'alpha']);
    expect(cluster.code).toBe(0);
    expect(cluster.stdout.trim().split('\n')).toHaveLength(2);
    expect(cluster.stdout).toMatch(/\nalpha +agent +/);

    const pool = await run(['get', 'pool', 'beta/worker', '-o', 'json']);
    expect(JSON.parse(pool.stdout)).toMatchObject({ clusterId: 'beta', pool: 'worker' });
    const node = await run(['get', 'node', 'worker-10', '-o', 'yaml']);
    expect(node.code).toBe(0);
    expect(node.stdout).toMatch(/^clusterId: beta\nname: worker-10\n/);
    const byFlag = await run(['get', 'node', 'worker-1', '--cluster', 'alpha', '-o', 'wide']);
    expect(byFlag.stdout).toMatch(/\nalpha +worker-1 +worker +Ready /);

    const ambiguous = await run(['get', 'node', 'worker-0']);
    expect(ambiguous.code).toBe(1);
    expect(ambiguous.stderr).toBe(
      'strata: node "worker-0" is in several clusters (alpha/worker-0, beta/worker-0): name one as CLUSTER/worker-0 or with --cluster\n',
    );
    for (const [kind, name] of [
      ['rollout', 'nope-000000000000'],
      ['cluster', 'nope'],
      ['node', 'alpha/worker-99'],
      ['track', 'nope'],
    ]) {
      const missing = await run(['get', kind!, name!]);
      expect(missing.code).toBe(1);
      expect(missing.stdout).toBe('');
      expect(missing.stderr).toBe(`strata: ${kind} "${name}" not found\n`);
    }
    const noCluster = await run(['get', 'pool', 'nope/worker']);
    expect(noCluster.code).toBe(1);
    expect(noCluster.stderr).toBe('strata: pool "nope/worker" not found: cluster nope: not registered\n');
  });

  it.skipIf(!existsSync('/usr/bin/script'))(
    'colours states on a terminal, unless NO_COLOR is set',
    async () => {
      // script(1) gives the command a pseudo-terminal as stdout. Node decides colour from the environment
      // too (CI set means no colour), so the run starts from an environment without those switches.
      const terminalEnv = () => {
        const { CI, NO_COLOR, NODE_DISABLE_COLORS, FORCE_COLOR, ...rest } = process.env;
        return rest;
      };
      const onTerminal = (env: Record<string, string>) =>
        new Promise<string>((resolve, reject) => {
          const child = spawn(
            '/usr/bin/script',
            ['-qec', `${process.execPath} ${cli} get nodes --cluster alpha`, '/dev/null'],
            { env: { ...terminalEnv(), STRATA_URL: strata.url, TERM: 'xterm-256color', ...env } },
          );
          let out = '';
          child.stdout.on('data', (d: Buffer) => (out += d.toString()));
          child.on('error', reject);
          child.on('close', () => resolve(out));
        });
      const coloured = await onTerminal({});
      expect(coloured).toContain('\x1b[32mReady\x1b[39m');
      expect(coloured).toContain('\x1b[32mDone\x1b[39m');
      const plain = await onTerminal({ NO_COLOR: '1' });
      expect(plain).toMatch(/alpha +worker-0 +Ready +Done/);
      expect(plain).not.toContain('\x1b[');
    },
  );

  it('pool pause holds one pool: get pools and describe pool show it; resume lifts it; bad references exit non-zero', async () => {
    // Act
    const paused = await run(['pool', 'pause', 'alpha/worker']);
    // Assess
    expect(paused).toMatchObject({ code: 0, stderr: '' });
    expect(paused.stdout).toBe(
      'pool/alpha/worker paused: no node of it starts until `strata pool resume`; nodes in flight finish\n',
    );
    expect((await run(['pool', 'pause', 'alpha/worker'])).stdout).toMatch(
      /^pool\/alpha\/worker already paused \(by admin-api at \d{4}-/,
    );
    const pools = await run(['get', 'pools']);
    expect(pools.stdout).toMatch(/\nalpha +worker \(paused\) +/);
    expect(pools.stdout).toMatch(/\nbeta +worker +/);
    const wide = await run(['get', 'pools', '-o', 'wide']);
    expect(wide.stdout).toMatch(/\nalpha +worker \(paused\) .* admin-api, \d+s ago\n/);
    const described = await run(['describe', 'pool', 'alpha/worker']);
    expect(described.stdout).toMatch(
      /\nPaused: +by admin-api at \d{4}-\S+ \(strata pool resume lifts it\)\n/,
    );
    expect(described.stdout).toMatch(/\nBlocked:\n {2}- held: pool-paused\n/);

    const resumed = await run(['pool', 'resume', 'alpha/worker']);
    expect(resumed).toMatchObject({ code: 0, stdout: 'pool/alpha/worker resumed\n' });
    expect((await run(['pool', 'resume', 'alpha/worker'])).stdout).toBe('pool/alpha/worker was not paused\n');
    expect((await run(['describe', 'pool', 'alpha/worker'])).stdout).toMatch(/\nPaused: +no\n/);

    const usage = await run(['pool', 'pause', 'alpha']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('pool pause alpha: expected CLUSTER/POOL');
    const unknown = await run(['pool', 'pause', 'alpha/nope']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('pool alpha/nope: not registered');
  });

  it('track apply creates and then leaves unchanged; refuses a bad file naming file, track and field', async () => {
    const file = join(dir, 'canary.yaml');
    writeFileSync(
      file,
      [
        'name: canary',
        `image: ${strata.fleet!.scenario.clusters[0]!.pools[0]!.baseImage.split('@')[0]}:canary`,
        'targets: { clusterSelector: { matchLabels: { env: test } } }',
        'strategy:',
        '  waves: [{ name: first, clusterSelector: { matchLabels: { canary: "true" } } }]',
        '  soakSeconds: 3600',
        '',
      ].join('\n'),
    );
    const first = await run(['track', 'apply', '-f', file]);
    expect(first.stdout).toBe('track/canary created\n');
    const second = await run(['track', 'apply', '-f', file]);
    expect(second.stdout).toBe('track/canary unchanged\n');
    const tracks = await run(['get', 'tracks']);
    expect(tracks.stdout).toMatch(
      /canary +quay\.io\/strata\/rhcos-layered:canary +env=test +worker +first,rest/,
    );

    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'name: broken\nimage: quay.io/a/b:c\nstrategy: { maxConcurrentClusters: 0 }\n');
    const refused = await run(['track', 'apply', '-f', bad]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`${bad}: track "broken": strategy.maxConcurrentClusters`);
    expect((await run(['get', 'tracks', '-o', 'json'])).stdout).not.toContain('broken');
    expect((await run(['track', 'apply'])).code).toBe(2);
  });

  it('check --wait exits 1 and says why when the check of a track fails', async () => {
    // Prepare: a track whose registry refuses connections (a port nobody listens on).
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as AddressInfo).port;
    await new Promise((r) => server.close(r));
    const file = join(dir, 'unreachable.yaml');
    writeFileSync(
      file,
      `name: unreachable\nimage: 127.0.0.1:${port}/acme/os:prod\ntargets: { clusterSelector: { matchLabels: { env: none } } }\n`,
    );
    expect((await run(['track', 'apply', '-f', file])).code).toBe(0);
    // Act
    const out = await run(['check', 'unreachable', '--wait', '--timeout', '60']);
    // Assess
    expect(out.code).toBe(1);
    expect(out.stdout).toMatch(/^check .*: 1 track\(s\) queued\n$/);
    expect(out.stderr).toMatch(
      new RegExp(
        `^strata: check failed: unreachable: 127\\.0\\.0\\.1:${port}/acme/os:prod: registry unavailable: .*\\n$`,
      ),
    );

    // What get prints, the check it found included, is what apply takes: nothing changes.
    const one = await run(['get', 'tracks', 'unreachable', '-o', 'yaml']);
    expect(one.stdout).toMatch(/^name: unreachable\n/);
    expect(one.stdout).toMatch(/\ncheck:\n {2}lastCheckedAt: /);
    const reapplied = await run(['track', 'apply', '-f', '-'], {}, one.stdout);
    expect(reapplied).toMatchObject({ code: 0, stdout: 'track/unreachable unchanged\n', stderr: '' });
    const all = await run(['get', 'tracks', '-o', 'json']);
    expect((await run(['track', 'apply', '-f', '-'], {}, all.stdout)).stdout).toBe(
      'track/canary unchanged\ntrack/unreachable unchanged\n',
    );
    await run(['track', 'delete', 'unreachable']);
  });

  it('a watch of get tracks shows the table again when a track is applied, not before', async () => {
    // Prepare: the watch loop `-w` will use, reading through the admin API as `get` does.
    const client = createAdminClient({ url: strata.url });
    const read = async () => {
      const { items } = await fetchItems(client, 'tracks');
      return { key: JSON.stringify(items), text: await formatItems('tracks', items, 'table') };
    };
    const shown: string[] = [];
    const stop = new AbortController();
    const watching = watchView(read, (text) => shown.push(text), { intervalMs: 100, signal: stop.signal });
    await new Promise((r) => setTimeout(r, 1000));
    const before = [...shown];
    // Act
    const file = join(dir, 'watched.yaml');
    writeFileSync(file, 'name: watched\nimage: quay.io/acme/os:watched\n');
    expect((await run(['track', 'apply', '-f', file])).code).toBe(0);
    const deadline = Date.now() + 10_000;
    while (!shown.at(-1)?.includes('watched') && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    stop.abort();
    await watching;
    // Assess: one view at first (nothing changed for a second), one more after the apply.
    expect(before).toHaveLength(1);
    expect(before[0]).not.toContain('watched');
    expect(shown).toHaveLength(2);
    expect(shown[1]).toMatch(/\nwatched +quay\.io\/acme\/os:watched +\(all\) +worker +rest /);
    await run(['track', 'delete', 'watched']);
  });

  it('plan shows waves, rendered configs and node order without changing anything', async () => {
    const out = await run(['plan', `quay.io/strata/rhcos-layered:canary@${digest}`]);
    expect(out.code).toBe(0);
    expect(out.stdout).toContain(`Track canary → rollout ${id}`);
    expect(out.stdout).toMatch(/wave 1 first: alpha\n/);
    expect(out.stdout).toMatch(/wave 2 rest: beta\n/);
    expect(out.stdout).toMatch(/alpha\/worker: rendered-worker-[0-9a-f]{32} \(maxUnavailable 1\)/);
    expect(out.stdout).toContain('Refusals: none');
    expect(await rolloutStatus()).toBe('absent');
    const none = await run(['plan', `quay.io/strata/other:x@${digest}`]);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('no track follows quay.io/strata/other:x');
  });

  it('publish starts the rollout; describe, pause and resume it', async () => {
    const published = await run(['publish', 'quay.io/strata/rhcos-layered:canary', '--digest', digest]);
    expect(published.code).toBe(0);
    expect(published.stdout).toContain(`rollouts: ${id}`);
    // The first wave completes, then the rollout soaks for an hour.
    await waitForStatus('Soaking');

    const described = await run(['describe', 'rollout', id]);
    expect(described.stdout).toMatch(/Status: +Soaking/);
    expect(described.stdout).toMatch(/1\. first \(current\)\n +alpha: done\n +worker +2\/2 updated/);
    expect(described.stdout).toMatch(/soaking after wave "first": \d+s of soakSeconds 3600 left/);

    expect((await run(['rollout', 'pause', id])).stdout).toBe(`rollout ${id}: Paused\n`);
    const paused = await run(['describe', 'rollout', id, '-o', 'json']);
    expect(JSON.parse(paused.stdout).blocked[0]).toContain('paused by hand');
    const twice = await run(['rollout', 'pause', id]);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toContain('cannot pause a rollout that is Paused');

    expect((await run(['rollout', 'resume', id])).stdout).toBe(`rollout ${id}: Progressing\n`);
    await waitForStatus('Soaking');
    const rows = await run(['get', 'rollouts']);
    expect(rows.stdout).toMatch(new RegExp(`${id} +canary +Soaking +1/2 first +1/2 `));
  });

  it('rolls back; once it is over, the clusters read rolled-back, not rolling-back', async () => {
    const started = await run(['rollout', 'rollback', id]);
    expect(started.stdout).toMatch(new RegExp(`^rollout ${id}: Roll(ingBack|edBack)\n$`));
    await waitForStatus('RolledBack');
    const described = await run(['describe', 'rollout', id]);
    expect(described.stdout).toMatch(/Status: +RolledBack/);
    expect(described.stdout).toMatch(/\n +alpha: rolled-back\n/);
    expect(described.stdout).not.toContain('rolling-back');
    expect((await run(['get', 'rollout', id])).stdout).toMatch(new RegExp(`\n${id} +canary +RolledBack `));
  });

  it('cluster add and remove', async () => {
    const alpha = strata.fleet!.cluster('alpha');
    const token = join(dir, 'token');
    writeFileSync(token, `${alpha.token}\n`);
    const ca = join(dir, 'ca.pem');
    writeFileSync(ca, Buffer.from(alpha.caData, 'base64'));
    const added = await run([
      'cluster',
      'add',
      '--name',
      'alpha-again',
      '--server',
      alpha.server,
      '--token-file',
      token,
      '--ca-file',
      ca,
      '--label',
      'env=lab',
    ]);
    expect(added.stdout).toMatch(
      /^cluster\/alpha-again verified: 2 nodes; pools worker \(2 nodes\); (does not serve machineconfiguration\.openshift\.io|serves machineconfiguration\.openshift\.io \(MachineConfigPools: .*\))\ncluster\/alpha-again registered \(pools: worker; driver: agent\)\n$/,
    );
    // The token and CA it was given reach the cluster.
    const nodes = await run(['get', 'nodes', '--cluster', 'alpha-again']);
    expect(nodes.code).toBe(0);
    expect(nodes.stdout).toMatch(/alpha-again +worker-0 +Ready +Done/);

    const usage = await run(['cluster', 'add', '--name', 'x', '--server', alpha.server]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('--server needs --token-file or --secret-name');
    const badLabel = await run([
      'cluster',
      'add',
      '--name',
      'x',
      '--server',
      alpha.server,
      '--token-file',
      token,
      '--label',
      'oops',
    ]);
    expect(badLabel.code).toBe(2);

    expect((await run(['cluster', 'remove', 'alpha-again'])).stdout).toBe(
      'cluster/alpha-again removed (pools: worker)\n',
    );
    expect((await run(['get', 'clusters'])).stdout).not.toContain('alpha-again');
  });

  it('cluster add refuses a cluster it cannot use, naming the cause; --no-verify registers it; get clusters shows it unreachable', async () => {
    // Prepare: alpha's CA and token, a port nobody listens on, a wrong token, no CA (the system's trust
    // does not know the simulator's).
    const alpha = strata.fleet!.cluster('alpha');
    const [token, wrongToken, ca] = ['t', 'w', 'ca.pem'].map((f) => join(dir, f));
    writeFileSync(token!, alpha.token);
    writeFileSync(wrongToken!, 'not-the-token');
    writeFileSync(ca!, Buffer.from(alpha.caData, 'base64'));
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const closed = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    await new Promise((r) => server.close(r));
    const add = (name: string, url: string, tokenFile: string, caFile: string | null, ...more: string[]) =>
      run([
        'cluster',
        'add',
        '--name',
        name,
        '--server',
        url,
        '--token-file',
        tokenFile,
        ...(caFile ? ['--ca-file', caFile] : []),
        ...more,
      ]);
    // Act + Assess: each refusal says why, and registers nothing.
    const refused = await add('gone', closed, token!, ca!);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /^strata: POST \/v1\/clusters: 422 cluster gone: connection refused: .*ECONNREFUSED/,
    );
    const denied = await add('denied', alpha.server, wrongToken!, ca!);
    expect(denied.code).toBe(1);
    expect(denied.stderr).toContain('422 cluster denied: 401 Unauthorized (token rejected)');
    const tls = await add('untrusted', alpha.server, token!, null);
    expect(tls.code).toBe(1);
    expect(tls.stderr).toContain('422 cluster untrusted: TLS failed (CA or certificate)');
    const listed = await run(['get', 'clusters', '-o', 'json']);
    expect(listed.stdout).not.toMatch(/"(gone|denied|untrusted)"/);

    const unverified = await add('gone', closed, token!, ca!, '--no-verify');
    expect(unverified).toMatchObject({
      code: 0,
      stdout: 'cluster/gone registered (pools: worker; driver: detected when first reached)\n',
    });
    const table = await run(['get', 'clusters', '-o', 'wide']);
    expect(table.stdout).toMatch(
      /\ngone +- +- +worker +no \(refused\) +- +\S+ +https:\/\/127\.0\.0\.1:\d+ .*connection refused: /,
    );
    const described = await run(['describe', 'cluster', 'gone']);
    expect(described.stdout).toMatch(/\nAPI: +unreachable: connection refused: .*ECONNREFUSED/);
    expect(described.stdout).toMatch(/\nLast contact: +never\nLast error: +connection refused: /);
    const status = await run(['status']);
    expect(status.stdout).toMatch(/\nUnreachable clusters:\n {2}gone: connection refused: .*ECONNREFUSED/);
    expect((await run(['cluster', 'remove', 'gone'])).code).toBe(0);
  });

  it('publish of a tag without a digest resolves it, or fails saying why and publishes nothing', async () => {
    // Prepare: a registry that refuses connections (a port nobody listens on).
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as AddressInfo).port;
    await new Promise((r) => server.close(r));
    const before = (await run(['get', 'rollouts', '-o', 'json'])).stdout;
    // Act
    const out = await run(['publish', `127.0.0.1:${port}/acme/os:prod`]);
    // Assess
    expect(out.code).toBe(1);
    expect(out.stdout).toBe('');
    expect(out.stderr).toMatch(
      new RegExp(
        `^strata: POST /v1/publish: 422 nothing published: 127\\.0\\.0\\.1:${port}/acme/os:prod: registry unavailable: `,
      ),
    );
    expect((await run(['get', 'rollouts', '-o', 'json'])).stdout).toBe(before);
  });

  it('says how to start Strata when none answers', async () => {
    // A port nobody listens on: take a free one and close it again.
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as AddressInfo).port;
    await new Promise((r) => server.close(r));
    const out = await run(['get', 'pools', '--url', `http://127.0.0.1:${port}`]);
    expect(out.code).toBe(1);
    expect(out.stderr).toBe(
      `strata: no Strata at http://127.0.0.1:${port} (ECONNREFUSED): start one with npm start or pass --url\n`,
    );
    const bad = await run(['get', 'pools', '--url', 'not a url']);
    expect(bad.code).toBe(2);
  });
});
