/**
 * Size limits through the embedded runtime's real HTTP front (admin API and webhooks, wired as `strata
 * start` wires them, the table on dynalite): ids, names, tags per delivery, waves, pools and selector
 * values over their limits are answered 400/413 naming the limit, never 500, and a refused request writes
 * nothing and enqueues nothing. The same tag announced 1,000 times in one delivery is enqueued once.
 */
import { createHmac } from 'node:crypto';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { staticCredentials } from '../../functions/adapters/registry/credentials.ts';
import { createTagResolver } from '../../functions/adapters/registry/index.ts';
import { prepareLocalAccess } from '../../local/local-access.ts';
import { type Runtime, startRuntime } from '../../local/runtime.ts';
import { localRoutes } from '../../local/wiring.ts';
import { WORK_QUEUE_NAMES } from '../../local/work-queues.ts';
import { fixture, secrets, testConfig } from '../handlers/webhook-support.ts';
import { queueCounts } from './helpers.ts';

let runtime: Runtime;
let base: string;

async function tableItems(): Promise<number> {
  const out = await runtime.context.doc.send(new ScanCommand({ TableName: runtime.context.tableName }));
  return out.Items?.length ?? 0;
}

async function enqueued(): Promise<number> {
  let total = 0;
  for (const name of WORK_QUEUE_NAMES) {
    const c = await queueCounts(runtime.context.sqs, runtime.context.queueAddresses[name].url);
    total += c.visible + c.inFlight + c.delayed;
  }
  return total;
}

async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${base}${path}`, {
    method: path.startsWith('/v1/tracks/') ? 'PUT' : 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as { error?: string; accepted?: number } };
}

const quay = (tags: string[]) => ({
  repository: 'acme-os/rhcos-layered',
  docker_url: 'quay.io/acme-os/rhcos-layered',
  updated_tags: tags,
});

const track = (extra: Record<string, unknown> = {}) => ({
  name: 'limits',
  image: 'quay.io/acme-os/rhcos-layered:prod',
  ...extra,
});

beforeAll(async () => {
  const access = prepareLocalAccess();
  const registryCredentials = staticCredentials({ registries: {} });
  runtime = await startRuntime({
    handlers: {},
    http: { host: access.host, guard: access.guard, maxBodyBytes: 16 * 1024 * 1024 },
    routes: (ctx) =>
      localRoutes(ctx, {
        tokens: {},
        registryCredentials,
        resolver: createTagResolver(registryCredentials),
        declareDigest: () => undefined,
        webhooks: testConfig,
        onWarning: () => undefined,
      }),
  });
  base = runtime.services.http!.url!;
}, 60_000);

afterAll(async () => {
  await runtime?.stop();
});

describe('limits through the local HTTP front', () => {
  it('refuses a delivery of 3,000 distinct tags with 413 naming the limit, and enqueues and claims nothing', async () => {
    // Prepare
    const [items, queued] = [await tableItems(), await enqueued()];
    const tags = Array.from({ length: 3000 }, (_, i) => `t${i}`);
    // Act
    const res = await post(`/hooks/quay/${secrets.quay}`, quay(tags));
    // Assess
    expect(res.status).toBe(413);
    expect(res.body.error).toMatch(/more than 100 distinct tags/);
    expect(await enqueued()).toBe(queued);
    expect(await tableItems()).toBe(items);
  });

  it('enqueues the same tag announced 1,000 times in one delivery once', async () => {
    // Prepare
    const queued = await enqueued();
    // Act
    const res = await post(`/hooks/quay/${secrets.quay}`, quay(Array(1000).fill('prod-dup')));
    // Assess
    expect(res).toMatchObject({ status: 202, body: { accepted: 1 } });
    expect(await enqueued()).toBe(queued + 1);
  });

  it('refuses a 50 KB distribution event id and a 3 KB GitHub delivery id with 400 naming the limit', async () => {
    // Prepare
    const [items, queued] = [await tableItems(), await enqueued()];
    const event = {
      id: 'e'.repeat(50 * 1024), // the test configuration's body limit is 64 KB
      action: 'push',
      target: {
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        repository: 'acme/node',
        tag: 'v1',
        digest: `sha256:${'a'.repeat(64)}`,
      },
      request: { host: 'registry.example.com' },
    };
    const github = fixture('github/package-published-tagged.json').toString('utf8');
    // Act
    const dist = await post(
      '/hooks/distribution',
      { events: [event] },
      { authorization: secrets.distribution },
    );
    const gh = await post('/hooks/github', github, {
      'x-github-event': 'package',
      'x-github-delivery': 'd'.repeat(3000),
      'x-hub-signature-256': `sha256=${createHmac('sha256', secrets.github).update(github).digest('hex')}`,
    });
    // Assess
    expect(dist.status).toBe(400);
    expect(dist.body.error).toMatch(/event id is 51200 characters long; the limit is 256/);
    expect(gh.status).toBe(400);
    expect(gh.body.error).toMatch(/delivery\/event id is 3000 characters long; the limit is 256/);
    expect(await enqueued()).toBe(queued);
    expect(await tableItems()).toBe(items);
  });

  it('refuses over-long ids in admin paths and bodies with 400 naming the limit', async () => {
    // Prepare
    const items = await tableItems();
    // Act
    const rollout = await fetch(`${base}/v1/rollouts/${'r'.repeat(300)}`);
    const cluster = await fetch(`${base}/v1/clusters/${'c'.repeat(300)}`);
    const addCluster = await post('/v1/clusters', {
      name: 'c'.repeat(3000),
      endpoint: 'https://127.0.0.1:1',
      token: 't',
      verify: false,
    });
    const pool = await post('/v1/clusters', {
      name: 'ok',
      endpoint: 'https://127.0.0.1:1',
      token: 't',
      verify: false,
      pools: ['p'.repeat(64)],
    });
    // Assess
    expect(rollout.status).toBe(400);
    expect(((await rollout.json()) as { error: string }).error).toMatch(/rollout id .* the limit is 128/);
    expect(cluster.status).toBe(400);
    expect(((await cluster.json()) as { error: string }).error).toMatch(/cluster id .* the limit is 253/);
    expect(addCluster).toMatchObject({ status: 400, body: { error: 'body.name: at most 253 characters' } });
    expect(pool).toMatchObject({ status: 400, body: { error: 'body.pools[0].name: at most 63 characters' } });
    expect(await tableItems()).toBe(items);
  });

  it('names an unknown time zone of a maintenance window as the time zone, not the cron expression', async () => {
    // Act
    const res = await post('/v1/clusters', {
      name: 'tz',
      endpoint: 'https://127.0.0.1:1',
      token: 't',
      verify: false,
      windows: [{ cron: '0 2 * * *', timeZone: 'Mars/Olympus', durationMinutes: 60 }],
    });
    // Assess
    expect(res).toMatchObject({
      status: 400,
      body: { error: 'body.windows[0].timeZone: not a known IANA time zone (e.g. "Europe/Berlin", "UTC")' },
    });
  });

  it('refuses tracks with 20,000 waves, 60,000 pools or over-long selector values with 400 naming the limit', async () => {
    // Prepare
    const items = await tableItems();
    const waves = Array.from({ length: 20_000 }, (_, i) => ({ name: `w${i}`, count: 1 }));
    const pools = Array.from({ length: 60_000 }, (_, i) => `p${i}`);
    const values = Array.from({ length: 101 }, (_, i) => `v${i}`);
    // Act
    const manyWaves = await post('/v1/tracks', track({ strategy: { waves } }));
    const manyPools = await post('/v1/tracks', track({ targets: { pools } }));
    const longValue = await post(
      '/v1/tracks',
      track({ targets: { clusterSelector: { matchLabels: { env: 'x'.repeat(64) } } } }),
    );
    const manyValues = await post(
      '/v1/tracks',
      track({
        targets: { clusterSelector: { matchExpressions: [{ key: 'env', operator: 'In', values }] } },
      }),
    );
    // Assess
    expect(manyWaves.status).toBe(400);
    expect(manyWaves.body.error).toMatch(/strategy\.waves.*at most 100 waves/);
    expect(manyPools.status).toBe(400);
    expect(manyPools.body.error).toMatch(/targets\.pools.*at most 100 pools/);
    expect(longValue.status).toBe(400);
    expect(longValue.body.error).toMatch(/label values have at most 63 characters/);
    expect(manyValues.status).toBe(400);
    expect(manyValues.body.error).toMatch(/at most 100 entries/);
    expect(await tableItems()).toBe(items);
  });

  it('answers a track within every field limit but over DynamoDB’s 400 KB item limit with 413, not 500', async () => {
    // Prepare: 100 waves × 100 labels of a 316-character key: every field within its limit, ≈3.5 MB.
    const items = await tableItems();
    const matchLabels = (w: number) =>
      Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`k${w}-${i}-${'k'.repeat(300)}`, 'v']));
    const waves = Array.from({ length: 100 }, (_, w) => ({
      name: `w${w}`,
      clusterSelector: { matchLabels: matchLabels(w) },
    }));
    // Act
    const res = await post('/v1/tracks', track({ strategy: { waves } }));
    // Assess
    expect(res.status).toBe(413);
    expect(res.body.error).toMatch(/400 KB item limit/);
    expect(await tableItems()).toBe(items);
    expect((await post('/v1/tracks', track())).status).toBe(200); // a track that fits is saved
  });
});
