/**
 * `strata start` as a child process (in its own process group), as an attacker and a crash would meet it:
 * - the requests that used to stop it (`//`, bad percent-encoding under /v1 and /hooks) and the whole fuzz
 *   corpus leave it serving;
 * - its admin API in a browser's world: writes only as JSON (415), only its own Host (421), no foreign
 *   Origin (403), the access token (0600) required off loopback and found by the CLI by itself;
 * - a push answered 202 survives a kill -9 and is rolled out after the restart, exactly once.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { annotatedImage } from '../checks/support.ts';
import { smallScenario } from '../sim/support.ts';
import { exchange, type FuzzTarget, malformedCorpus, request, runCorpus } from '../support/http-fuzz.ts';
import {
  type FaultProxy,
  OciLayout,
  skopeoDigest,
  skopeoPush,
  startFaultProxy,
  startRegistry,
  type TestRegistry,
} from '../support/registry.ts';

const cli = fileURLToPath(new URL('../../bin/strata.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'strata-hardening-'));
const scenarioFile = join(dir, 'small.yaml');
writeFileSync(scenarioFile, JSON.stringify(smallScenario({ timeScale: 100 })));
const HOOK_SECRET = 'Bearer hardening-hook-secret';

/** A running `strata start`, its output so far, and how it ended. */
interface Started {
  child: ChildProcess;
  url: string;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const children = new Set<ChildProcess>();
afterEach(() => {
  // Whatever a failed test left running: the whole process group, by its leader's pid.
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {}
    }
  }
  children.clear();
});

/** Starts `strata start --no-demo --port 0 …` and waits until it serves. */
async function startStrata(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Started> {
  const child = spawn(process.execPath, [cli, 'start', '--no-demo', '--port', '0', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
    env: { ...process.env, ...env },
  });
  children.add(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr!.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal })),
  );
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`strata start did not serve:\n${out}\n${err}`)), 60_000);
    const look = () => {
      const match = /Strata admin API: (http:\/\/[^/\s]+)\/v1/.exec(out);
      if (match && out.includes('Ctrl-C to stop')) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', look);
    void exited.then(() => reject(new Error(`strata start exited:\n${out}\n${err}`)));
  });
  return { child, url, stdout: () => out, stderr: () => err, exited };
}

async function stop(started: Started): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  started.child.kill('SIGINT');
  return started.exited;
}

const targetOf = (url: string): FuzzTarget => {
  const u = new URL(url);
  return { host: u.hostname, port: Number(u.port) };
};

const run = promisify(execFile);

/** Runs the CLI against `url` with the given state directory (where it finds access tokens). */
async function strata(args: string[], env: NodeJS.ProcessEnv) {
  try {
    const { stdout, stderr } = await run(process.execPath, [cli, ...args], {
      timeout: 60_000,
      env: { ...process.env, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('strata start: no request stops it', () => {
  it('keeps serving through the requests that stopped it and the fuzz corpus', async () => {
    // Prepare
    const config = join(dir, 'hooks.yaml');
    writeFileSync(
      config,
      JSON.stringify({
        webhooks: {
          providers: {
            distribution: { auth: [{ kind: 'header', header: 'Authorization', value: HOOK_SECRET }] },
          },
        },
      }),
    );
    const strataRun = await startStrata(['--scenario', scenarioFile, '--config', config]);
    const target = targetOf(strataRun.url);

    // Act
    const reported = [
      await exchange(target, request('GET', '//')),
      await exchange(target, request('POST', '/hooks/distribution/%E0%A4%A', [], '{}')),
      await exchange(target, request('GET', '/v1/rollouts/%zz')),
    ];
    const { violations } = await runCorpus(
      target,
      malformedCorpus(['/v1/', '/hooks/distribution', '/assets/']),
      { timeoutMs: 1500, concurrency: 8 },
    );

    // Assess
    expect(reported.map((a) => a.status)).toEqual([400, 400, 400]);
    expect(violations).toEqual([]);
    expect(strataRun.child.exitCode).toBeNull();
    expect((await exchange(target, request('GET', '/v1/health'))).status).toBe(200);
    expect(await stop(strataRun)).toEqual({ code: 0, signal: null });
    expect(strataRun.stderr()).not.toMatch(/Error|http front/);
  }, 180_000);
});

describe("strata start: the admin API in a browser's world", () => {
  it('on loopback: JSON writes only, its own Host, no foreign Origin; the token is checked when sent', async () => {
    // Prepare
    const state = join(dir, 'state-loopback');
    const strataRun = await startStrata(['--scenario', scenarioFile], { STRATA_STATE_DIR: state });
    const target = targetOf(strataRun.url);
    const host = `${target.host}:${target.port}`;
    const tokenFile = /access token: (\S+)/.exec(strataRun.stdout())![1]!;
    const token = readFileSync(tokenFile, 'utf8').trim();

    // Act
    const publish = `{"image":"quay.io/acme/os:prod@sha256:${'a'.repeat(64)}"}`;
    const answers = {
      textPlainPost: await exchange(
        target,
        request('POST', '/v1/publish', ['Content-Type: text/plain'], publish),
      ),
      formPost: await exchange(
        target,
        request('POST', '/v1/publish', ['Content-Type: application/x-www-form-urlencoded'], 'a=b'),
      ),
      noTypeDelete: await exchange(target, request('DELETE', '/v1/tracks/demo')),
      reboundHost: await exchange(
        target,
        `GET /v1/health HTTP/1.1\r\nHost: evil.example:${target.port}\r\nConnection: close\r\n\r\n`,
      ),
      reboundPage: await exchange(
        target,
        `GET / HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n`,
      ),
      foreignOrigin: await exchange(
        target,
        request(
          'POST',
          '/v1/checks',
          ['Content-Type: application/json', 'Origin: https://evil.example'],
          '{}',
        ),
      ),
      nullOrigin: await exchange(target, request('GET', '/v1/health', ['Origin: null'])),
      sameOrigin: await exchange(target, request('GET', '/v1/health', [`Origin: http://${host}`])),
      noToken: await exchange(target, request('GET', '/v1/health')),
      wrongToken: await exchange(target, request('GET', '/v1/health', ['Authorization: Bearer nope'])),
      rightToken: await exchange(target, request('GET', '/v1/health', [`Authorization: Bearer ${token}`])),
    };
    const cli = await strata(['get', 'rollouts', '--url', strataRun.url], { STRATA_STATE_DIR: state });

    // Assess
    const status = Object.fromEntries(Object.entries(answers).map(([k, v]) => [k, v.status]));
    expect(status).toEqual({
      textPlainPost: 415,
      formPost: 415,
      noTypeDelete: 415,
      reboundHost: 421,
      reboundPage: 421,
      foreignOrigin: 403,
      nullOrigin: 403,
      sameOrigin: 200,
      noToken: 200,
      wrongToken: 401,
      rightToken: 200,
    });
    expect(answers.textPlainPost.text).toContain('needs Content-Type: application/json');
    expect(cli).toMatchObject({ code: 0 });
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
    // Nothing was published by the refused writes.
    expect(cli.stdout).not.toContain('sha256:aaaa');
    expect(await stop(strataRun)).toEqual({ code: 0, signal: null });
  }, 120_000);

  it('bound to every interface: the token (0600 in the data directory) guards every route; the CLI sends it', async () => {
    // Prepare
    const state = join(dir, 'state-wildcard');
    const dataDir = join(dir, 'data-wildcard');
    const strataRun = await startStrata(
      ['--scenario', scenarioFile, '--host', '0.0.0.0', '--data-dir', dataDir],
      {
        STRATA_STATE_DIR: state,
      },
    );
    const target = targetOf(strataRun.url);
    const tokenFile = join(dataDir, 'access-token');
    const token = readFileSync(tokenFile, 'utf8').trim();

    // Act
    const noToken = await exchange(target, request('GET', '/v1/health'));
    const withToken = await exchange(target, request('GET', '/v1/pools', [`Authorization: Bearer ${token}`]));
    const cliFound = await strata(['get', 'pools', '--url', strataRun.url], { STRATA_STATE_DIR: state });
    const cliElsewhere = await strata(['get', 'pools', '--url', strataRun.url], {
      STRATA_STATE_DIR: join(dir, 'state-other-user'),
    });
    const cliEnv = await strata(['get', 'pools', '--url', strataRun.url], {
      STRATA_STATE_DIR: join(dir, 'state-other-user'),
      STRATA_TOKEN: token,
    });

    // Assess
    expect(strataRun.stdout()).toContain(`access token: ${tokenFile} (required on every admin request)`);
    expect(strataRun.stdout()).toContain(`dashboard: ${strataRun.url}/#token=${token}`);
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
    expect(noToken.status).toBe(401);
    expect(withToken.status).toBe(200);
    expect(cliFound).toMatchObject({ code: 0 });
    expect(cliFound.stdout).toMatch(/c1 +worker/);
    expect(cliElsewhere.code).toBe(1);
    expect(cliElsewhere.stderr).toContain('401');
    expect(cliEnv).toMatchObject({ code: 0 });
    expect(await stop(strataRun)).toEqual({ code: 0, signal: null });

    // The token is kept across restarts with the data directory.
    const again = await startStrata(
      ['--scenario', scenarioFile, '--host', '0.0.0.0', '--data-dir', dataDir],
      {
        STRATA_STATE_DIR: state,
      },
    );
    expect(readFileSync(tokenFile, 'utf8').trim()).toBe(token);
    expect(
      (await exchange(targetOf(again.url), request('GET', '/v1/health', [`Authorization: Bearer ${token}`])))
        .status,
    ).toBe(200);
    expect(await stop(again)).toEqual({ code: 0, signal: null });
  }, 180_000);
});

describe('strata start --data-dir: nothing acknowledged is lost', () => {
  let registry: TestRegistry | undefined;
  let proxy: FaultProxy | undefined;
  let layout: OciLayout | undefined;
  afterAll(async () => {
    await proxy?.close();
    await registry?.stop();
    layout?.remove();
  });

  it('rolls out, exactly once, a push answered 202 right before a kill -9', async () => {
    // Prepare: an image in a real registry, reached through a proxy that fails every manifest request
    // for now (so the push cannot be resolved before the kill: it is in the queue, nowhere else).
    registry = await startRegistry();
    proxy = await startFaultProxy(registry.url);
    layout = new OciLayout();
    layout.tag('v1', annotatedImage(layout, 'durable-v1'));
    await skopeoPush(layout, 'v1', `${registry.host}/acme/os:prod`);
    const digest = await skopeoDigest(`${registry.host}/acme/os:prod`);
    const registryHost = new URL(proxy.url).host;
    proxy.faults.failNext = 1_000_000;
    const config = join(dir, 'durable.yaml');
    writeFileSync(
      config,
      JSON.stringify({
        tracks: [
          {
            name: 'durable',
            image: `${registryHost}/acme/os:prod`,
            targets: { clusterSelector: { matchLabels: { env: 'test' } }, pools: ['worker'] },
          },
        ],
        webhooks: {
          providers: {
            distribution: { auth: [{ kind: 'header', header: 'Authorization', value: HOOK_SECRET }] },
          },
        },
      }),
    );
    const dataDir = join(dir, 'data-durable');
    const state = join(dir, 'state-durable');
    const args = ['--scenario', scenarioFile, '--config', config, '--data-dir', dataDir];
    const first = await startStrata(args, { STRATA_STATE_DIR: state });
    const delivery = JSON.stringify({
      events: [
        {
          id: 'evt-durable-1',
          timestamp: new Date().toISOString(),
          action: 'push',
          target: {
            mediaType: 'application/vnd.oci.image.manifest.v1+json',
            digest,
            repository: 'acme/os',
            tag: 'prod',
          },
          request: { id: 'req-durable', host: registryHost, method: 'PUT', useragent: 'skopeo' },
        },
      ],
    });

    // Act: deliver, and kill -9 the whole process group the moment the 202 arrives.
    const answer = await exchange(
      targetOf(first.url),
      request(
        'POST',
        '/hooks/distribution',
        ['Content-Type: application/vnd.docker.distribution.events.v2+json', `Authorization: ${HOOK_SECRET}`],
        delivery,
      ),
    );
    process.kill(-first.child.pid!, 'SIGKILL');
    const killed = await first.exited;
    proxy.faults.failNext = 0;
    const second = await startStrata(args, { STRATA_STATE_DIR: state });
    const first202 = await waitForRollouts(second.url);
    // A little longer: a second rollout would show up now if the push were processed twice.
    await new Promise((r) => setTimeout(r, 3000));
    const after = await rollouts(second.url);

    // Assess
    expect(answer.status).toBe(202);
    expect(killed.signal).toBe('SIGKILL');
    // Every manifest request before the kill failed: the push was in the queue, nowhere else.
    expect(proxy.requests.some((r) => r.includes('/manifests/'))).toBe(true);
    expect(first202).toHaveLength(1);
    expect(after).toHaveLength(1);
    expect(after[0]).toMatchObject({ track: 'durable', image: { digest } });
    expect(await stop(second)).toEqual({ code: 0, signal: null });
  }, 240_000);
});

/** Polls `GET /v1/rollouts` until one exists. */
async function waitForRollouts(url: string): Promise<{ track: string; image: { digest: string } }[]> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const items = await rollouts(url);
    if (items.length > 0) return items;
    if (Date.now() > deadline) throw new Error('no rollout after the restart');
    await new Promise((r) => setTimeout(r, 300));
  }
}

async function rollouts(url: string): Promise<{ track: string; image: { digest: string } }[]> {
  const res = await fetch(`${url}/v1/rollouts`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { items: { track: string; image: { digest: string } }[] }).items;
}
