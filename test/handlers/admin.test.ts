/**
 * The admin API handler on dynalite, with a simulated cluster behind the cluster connector: requests are
 * validated (4xx naming the field, nothing written), and each endpoint's resulting state is read back.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClusterConnector } from '../../functions/adapters/cluster/connector.ts';
import { createCredentialsResolver } from '../../functions/adapters/cluster/credentials.ts';
import { staticTokens } from '../../functions/adapters/secrets/tokens.ts';
import type { StoreContext } from '../../functions/adapters/store/context.ts';
import { dynamoStores } from '../../functions/adapters/store/index.ts';
import { getPool, putPoolIfVersion } from '../../functions/adapters/store/pools.ts';
import { createRollout, getRollout } from '../../functions/adapters/store/rollouts.ts';
import type { RolloutDescription, TrackDryRun } from '../../functions/core/admin/index.ts';
import { type ImagePushed, rolloutId } from '../../functions/core/model.ts';
import type { PlanRolloutMessage, ReconcilePoolMessage } from '../../functions/core/ports.ts';
import { DEFAULT_STRATEGY } from '../../functions/core/tracks/index.ts';
import { createAdminHandler } from '../../functions/handlers/admin.ts';
import { InProcessQueue } from '../../local/in-process-queue.ts';
import { type Fleet, startFleet } from '../../sim/index.ts';
import { smallScenario } from '../sim/support.ts';
import { startTestTable, type TestTable } from '../support/dynalite.ts';

let table: TestTable;
let store: StoreContext;
let fleet: Fleet;
let admin: ReturnType<typeof createAdminHandler>;
const tokens: Record<string, string> = {};
const declared: string[] = [];
const sent = {
  image: [] as ImagePushed[],
  plan: [] as PlanRolloutMessage[],
  reconcile: [] as ReconcilePoolMessage[],
};

function collecting<T>(into: T[]): InProcessQueue<T> {
  const q = new InProcessQueue<T>({ concurrency: 1 });
  q.consume(async (m) => {
    into.push(m);
  });
  return q;
}
const queues = {
  image: collecting(sent.image),
  plan: collecting(sent.plan),
  reconcile: collecting(sent.reconcile),
};

async function call(
  method: string,
  path: string,
  body?: unknown,
  query?: Record<string, string>,
): Promise<{ status: number; body: Record<string, unknown> & { error?: string } }> {
  const event = {
    version: '2.0',
    routeKey: 'ANY /v1/{proxy+}',
    rawPath: path,
    rawQueryString: new URLSearchParams(query ?? {}).toString(),
    headers: { 'content-type': 'application/json' },
    ...(query ? { queryStringParameters: query } : {}),
    requestContext: { http: { method, path } },
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    isBase64Encoded: false,
  } as unknown as APIGatewayProxyEventV2;
  const result = (await admin(event)) as APIGatewayProxyStructuredResultV2;
  return { status: result.statusCode!, body: JSON.parse(result.body as string) };
}

const settle = () => new Promise((r) => setTimeout(r, 50));
const digest = `sha256:${'c'.repeat(64)}`;

beforeAll(async () => {
  table = await startTestTable();
  store = { doc: table.doc, tableName: table.tableName };
  fleet = await startFleet(smallScenario());
  admin = createAdminHandler({
    stores: dynamoStores(store),
    imageQueue: queues.image,
    planQueue: queues.plan,
    reconcileQueue: queues.reconcile,
    clusters: createClusterConnector(store, createCredentialsResolver(staticTokens(tokens))),
    tokens: {
      put: async (name, token) => {
        tokens[name] = token;
      },
    },
    declareDigest: (image, d) => declared.push(`${image.host}/${image.repository}:${image.tag}@${d}`),
  });
});

afterAll(async () => {
  for (const q of Object.values(queues)) q.stop();
  await fleet?.stop();
  await table?.close();
});

describe('clusters', () => {
  it('refuses a bad registration naming the field, and writes nothing', async () => {
    const c1 = fleet.cluster('c1');
    const bad = await call('POST', '/v1/clusters', { name: 'C1', endpoint: c1.server, token: c1.token });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/^body\.name: /);
    const twoWays = await call('POST', '/v1/clusters', {
      name: 'c1',
      endpoint: c1.server,
      token: c1.token,
      secretName: 'x',
    });
    expect(twoWays.status).toBe(400);
    expect(twoWays.body.error).toContain('exactly one of token, secretName, kubeconfig or eks');
    const pools = await call('POST', '/v1/clusters', {
      name: 'c1',
      endpoint: c1.server,
      token: 't',
      pools: [],
    });
    expect(pools.body.error).toMatch(/^body\.pools: /);
    expect((await call('GET', '/v1/clusters')).body.items).toEqual([]);
  });

  it('registers an EKS cluster reached through IAM: no token stored, no warning, region checked', async () => {
    // Act
    const badRegion = await call('POST', '/v1/clusters', {
      name: 'eks1',
      endpoint: 'https://ABC.gr7.eu-west-1.eks.amazonaws.com',
      eks: { clusterName: 'fleet-east', region: 'Europe' },
      verify: false,
    });
    const out = await call('POST', '/v1/clusters', {
      name: 'eks1',
      endpoint: 'https://ABC.gr7.eu-west-1.eks.amazonaws.com',
      eks: { clusterName: 'fleet-east', region: 'eu-west-1' },
      driver: 'agent',
      verify: false,
    });
    // Assess
    expect(badRegion).toMatchObject({
      status: 400,
      body: { error: 'body.eks.region: an AWS region such as eu-west-1' },
    });
    expect(out.status).toBe(201);
    expect(out.body).not.toHaveProperty('warning');
    expect(Object.keys(tokens).filter((k) => k.includes('eks1'))).toEqual([]);
    expect(await call('DELETE', '/v1/clusters/eks1')).toMatchObject({ status: 200 });
  });

  it('registers a cluster with its token and pools, and reads its nodes live', async () => {
    const c1 = fleet.cluster('c1');
    const out = await call('POST', '/v1/clusters', {
      name: 'c1',
      endpoint: c1.server,
      caData: c1.caData,
      token: c1.token,
      labels: { env: 'test' },
      pools: ['worker'],
    });
    expect(out.status).toBe(201);
    expect(out.body.warning).toMatch(/^a bearer token that does not expire: prefer eks/);
    expect(tokens['strata/clusters/c1']).toBe(c1.token);
    const list = (await call('GET', '/v1/clusters')).body.items as Record<string, unknown>[];
    expect(list.map((c) => c.id)).toEqual(['c1']);
    expect(list[0]).not.toHaveProperty('caData');
    await settle();
    expect(sent.reconcile).toContainEqual({ clusterId: 'c1', pool: 'worker' });
    const again = await call('POST', '/v1/clusters', { name: 'c1', endpoint: c1.server, token: 'x' });
    expect(again.status).toBe(409);

    const nodes = await call('GET', '/v1/nodes', undefined, { cluster: 'c1' });
    const items = nodes.body.items as { name: string; pool: string; ready: boolean }[];
    expect(items.map((n) => n.name)).toEqual(['worker-0', 'worker-1', 'worker-2', 'worker-3']);
    expect(items.every((n) => n.pool === 'worker' && n.ready)).toBe(true);
    const pools = (await call('GET', '/v1/pools')).body.items as { clusterId: string; pool: string }[];
    expect(pools.map((p) => `${p.clusterId}/${p.pool}`)).toEqual(['c1/worker']);
    expect((await call('GET', '/v1/pools', undefined, { cluster: 'nope' })).status).toBe(404);
  });
});

describe('tracks', () => {
  const track = {
    name: 'test',
    image: 'quay.io/acme/rhcos:test',
    targets: { clusterSelector: { matchLabels: { env: 'test' } }, pools: ['worker'] },
    strategy: { soakSeconds: 0 },
  };

  it('refuses an invalid track naming the field', async () => {
    const out = await call('PUT', '/v1/tracks/test', { ...track, strategy: { soakSecs: 1 } });
    expect(out.status).toBe(400);
    expect(out.body.error).toContain('track "test"');
    expect(out.body.error).toContain('strategy');
    const mismatch = await call('PUT', '/v1/tracks/other', track);
    expect(mismatch.body.error).toMatch(/^body\.name: /);
    expect((await call('GET', '/v1/tracks')).body.items).toEqual([]);
  });

  it('applies a track idempotently and lists it', async () => {
    const first = await call('PUT', '/v1/tracks/test', track);
    expect(first.body).toMatchObject({ changed: true, created: true, version: 1 });
    const second = await call('PUT', '/v1/tracks/test', track);
    expect(second.body).toMatchObject({ changed: false, version: 1 });
    const changed = await call('PUT', '/v1/tracks/test', { ...track, strategy: { soakSeconds: 5 } });
    expect(changed.body).toMatchObject({ changed: true, version: 2 });
    await call('PUT', '/v1/tracks/test', track);
    const items = (await call('GET', '/v1/tracks')).body.items as { name: string; image: unknown }[];
    expect(items).toHaveLength(1);
    expect(items[0]!.image).toEqual({ host: 'quay.io', repository: 'acme/rhcos', tag: 'test' });
  });
});

describe('publish and plan', () => {
  it('publishes an ImagePushed with the declared digest', async () => {
    const out = await call('POST', '/v1/publish', { image: `quay.io/acme/rhcos:test@${digest}` });
    expect(out.status).toBe(202);
    expect(out.body.tracks).toEqual(['test']);
    expect(out.body.rollouts).toEqual([rolloutId('test', digest)]);
    await settle();
    expect(sent.image).toHaveLength(1);
    expect(sent.image[0]).toMatchObject({
      source: 'cli',
      host: 'quay.io',
      repository: 'acme/rhcos',
      tag: 'test',
      digestHint: digest,
    });
    expect(declared).toEqual([`quay.io/acme/rhcos:test@${digest}`]);
  });

  it('refuses a publish without a tag, or with two digests that differ', async () => {
    const noTag = await call('POST', '/v1/publish', { image: `quay.io/acme/rhcos@${digest}` });
    expect(noTag.status).toBe(400);
    expect(noTag.body.error).toMatch(/^body\.image: .*names no tag/);
    const differ = await call('POST', '/v1/publish', {
      image: `quay.io/acme/rhcos:test@${digest}`,
      digest: `sha256:${'d'.repeat(64)}`,
    });
    expect(differ.body.error).toMatch(/^body\.digest: /);
    const badDigest = await call('POST', '/v1/publish', {
      image: 'quay.io/acme/rhcos:test',
      digest: 'sha256:x',
    });
    expect(badDigest.body.error).toMatch(/^body\.digest: /);
    await settle();
    expect(sent.image).toHaveLength(1);
  });

  it('plans a rollout: rendered name and node order in batches of maxUnavailable', async () => {
    const out = await call('POST', '/v1/plan', { image: 'quay.io/acme/rhcos:test', digest });
    expect(out.status).toBe(200);
    const [plan] = out.body.tracks as (TrackDryRun & { rolloutId: string })[];
    expect(plan!.rolloutId).toBe(rolloutId('test', digest));
    expect(plan!.refusals).toEqual([]);
    expect(plan!.waves).toHaveLength(1);
    const pool = plan!.waves[0]!.clusters[0]!.pools[0]!;
    expect(pool.renderedConfig).toMatch(/^rendered-worker-[0-9a-f]{32}$/);
    expect(pool.maxUnavailable).toBe(1);
    expect(pool.batches).toHaveLength(4);
    expect(pool.batches.flat().sort()).toEqual(['worker-0', 'worker-1', 'worker-2', 'worker-3']);
    // Zones first (z-a before z-b), then age: MCO's candidate order.
    expect(pool.batches.flat()).toEqual(['worker-0', 'worker-2', 'worker-1', 'worker-3']);
    // A dry run changes nothing in the cluster.
    const mcs = fleet.cluster('c1').state;
    expect(JSON.stringify(mcs.nodes.list().map((n) => n.annotations))).not.toContain(digest);
  });

  it('notes a pool a cluster does not have, refuses a plan that would update nothing; asks for the digest', async () => {
    await call('PUT', '/v1/tracks/infra', {
      name: 'infra',
      image: 'quay.io/acme/rhcos:infra',
      targets: { pools: ['infra'] },
    });
    const out = await call('POST', '/v1/plan', { image: `quay.io/acme/rhcos:infra@${digest}` });
    const [plan] = out.body.tracks as TrackDryRun[];
    expect(plan!.notices).toEqual(['cluster c1: no pool infra registered; the rollout skips it there']);
    expect(plan!.refusals).toEqual([
      'track infra: none of its clusters has a pool it targets (infra): the rollout would update nothing',
    ]);
    const noDigest = await call('POST', '/v1/plan', { image: 'quay.io/acme/rhcos:infra' });
    expect(noDigest.status).toBe(400);
    expect(noDigest.body.error).toMatch(/^body\.digest: /);
    const nobody = await call('POST', '/v1/plan', { image: `quay.io/acme/other:x@${digest}` });
    expect(nobody.status).toBe(404);
  });
});

describe('rollouts', () => {
  const id = rolloutId('test', digest);

  it('pauses and resumes a rollout, refusing transitions its status does not allow', async () => {
    await createRollout(store, {
      id,
      track: 'test',
      image: { host: 'quay.io', repository: 'acme/rhcos', digest },
      strategy: { ...DEFAULT_STRATEGY, soakSeconds: 0 },
      targets: { clusterSelector: { matchLabels: { env: 'test' } }, pools: ['worker'] },
      status: 'Progressing',
      cause: 'test',
      createdAt: new Date().toISOString(),
      version: 1,
    });
    const paused = await call('POST', `/v1/rollouts/${id}/pause`);
    expect(paused.status).toBe(200);
    expect((await getRollout(store, id))!.status).toBe('Paused');
    await settle();
    expect(sent.plan).toContainEqual({ rolloutId: id });

    const again = await call('POST', `/v1/rollouts/${id}/pause`);
    expect(again.status).toBe(409);
    expect(again.body.error).toContain('cannot pause a rollout that is Paused');
    expect((await call('POST', `/v1/rollouts/${id}/explode`)).status).toBe(404);
    expect((await call('POST', '/v1/rollouts/nope/pause')).status).toBe(404);

    const d = (await call('GET', `/v1/rollouts/${id}`)).body as unknown as RolloutDescription;
    expect(d.rollout.status).toBe('Paused');
    expect(d.blocked[0]).toContain('paused by hand');
    expect(d.events.map((e) => e.kind)).toEqual(['Paused']);
    expect(d.events[0]!.actor).toBe('admin-api');

    expect((await call('POST', `/v1/rollouts/${id}/resume`)).status).toBe(200);
    expect((await getRollout(store, id))!.status).toBe('Progressing');
    const list = (await call('GET', '/v1/rollouts')).body.items as { id: string }[];
    expect(list.map((r) => r.id)).toEqual([id]);
  });
});

describe('removing a cluster', () => {
  it('refuses while nodes are in flight, then removes the cluster and its pools', async () => {
    const pool = (await getPool(store, 'c1', 'worker'))!;
    const target = { config: 'rendered-worker-x', image: null };
    const busy = await putPoolIfVersion(
      store,
      { ...pool, slots: { 'worker-0': { target, since: new Date().toISOString() } } },
      pool.version,
    );
    const refused = await call('DELETE', '/v1/clusters/c1');
    expect(refused.status).toBe(409);
    expect(refused.body.error).toContain('nodes are being updated in pool(s) worker');
    await putPoolIfVersion(store, { ...busy, slots: {} }, busy.version);

    const removed = await call('DELETE', '/v1/clusters/c1');
    expect(removed.body).toEqual({ deleted: 'c1', pools: ['worker'] });
    expect((await call('GET', '/v1/clusters')).body.items).toEqual([]);
    expect(await getPool(store, 'c1', 'worker')).toBeNull();
    expect((await call('DELETE', '/v1/clusters/c1')).status).toBe(404);
  });
});

describe('requests', () => {
  it('answers 404 for unknown paths and 400 for bodies that are not JSON', async () => {
    expect((await call('GET', '/v1/widgets')).status).toBe(404);
    expect((await call('GET', '/admin')).status).toBe(404);
    const encoding = await call('GET', '/v1/rollouts/%E0%A4%A');
    expect(encoding.status).toBe(400);
    expect(encoding.body.error).toMatch(/^path: /);
    const bad = await call('POST', '/v1/publish', '{not json');
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/^body: not JSON/);
    expect((await call('GET', '/v1/health')).body.ok).toBe(true);
  });
});
