import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  getCluster,
  listClusters,
  registerCluster,
  updateCluster,
} from '../../../functions/adapters/store/clusters.ts';
import { appendEvent, listEvents } from '../../../functions/adapters/store/events.ts';
import { listNodes, recordNode } from '../../../functions/adapters/store/nodes.ts';
import {
  createPool,
  getPool,
  listAllPools,
  listClusterPools,
  listPoolsTargetedBy,
  putPoolIfVersion,
} from '../../../functions/adapters/store/pools.ts';
import { getRendered, recordRendered } from '../../../functions/adapters/store/rendered.ts';
import { VersionConflictError } from '../../../functions/core/retry.ts';
import { newPool } from '../../../functions/core/rollout/pool-state.ts';
import { startTestTable, type TestTable } from '../../support/dynalite.ts';

const now = '2026-01-01T00:00:00.000Z';

describe('cluster, pool, node and event items on dynalite', () => {
  let table: TestTable;
  let store: { doc: TestTable['doc']; tableName: string };
  beforeAll(async () => {
    table = await startTestTable();
    store = { doc: table.doc, tableName: table.tableName };
  });
  afterAll(async () => table.close());

  it('registers a cluster once and updates it only from the current version', async () => {
    // Prepare
    const c = {
      id: 'c1',
      endpoint: 'https://127.0.0.1:6443',
      credentials: { kind: 'token-secret' as const, secretName: 'c1-token' },
      labels: { env: 'prod' },
      pools: [{ name: 'worker', nodeSelector: { 'node-role.kubernetes.io/worker': '' } }],
      registeredAt: now,
      version: 1,
    };
    // Act
    const first = await registerCluster(store, c);
    const second = await registerCluster(store, { ...c, labels: {} });
    await updateCluster(store, { ...c, labels: { env: 'stage' } }, 1);
    // Assess
    expect([first, second]).toEqual([true, false]);
    await expect(updateCluster(store, c, 1)).rejects.toBeInstanceOf(VersionConflictError);
    expect(await getCluster(store, 'c1')).toMatchObject({ labels: { env: 'stage' }, version: 2 });
    expect((await listClusters(store)).map((x) => x.id)).toEqual(['c1']);
  });

  it('two writers taking a slot from one pool version: exactly one wins', async () => {
    // Prepare
    await createPool(store, newPool('c1', 'worker', { role: 'worker' }, now));
    const read = (await getPool(store, 'c1', 'worker'))!;
    const take = (node: string) =>
      putPoolIfVersion(
        store,
        { ...read, slots: { [node]: { target: { config: 'rendered-worker-1', image: null }, since: now } } },
        read.version,
      );
    // Act
    const results = await Promise.allSettled([take('a'), take('b')]);
    // Assess
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(
      results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason),
    ).toEqual([expect.any(VersionConflictError)]);
    const stored = (await getPool(store, 'c1', 'worker'))!;
    expect(Object.keys(stored.slots)).toHaveLength(1);
    expect(stored.version).toBe(2);
  });

  it('finds pools by cluster, by fleet and by the rollout that targets them', async () => {
    // Prepare
    await createPool(store, newPool('c2', 'infra', {}, now));
    const p = (await getPool(store, 'c2', 'infra'))!;
    await putPoolIfVersion(
      store,
      { ...p, target: { config: 'r', image: null, rolloutId: 'prod-abc' } },
      p.version,
    );
    // Act
    const ofCluster = await listClusterPools(store, 'c1');
    const all = await listAllPools(store);
    const targeted = await listPoolsTargetedBy(store, 'prod-abc');
    // Assess
    expect(ofCluster.map((x) => x.pool)).toEqual(['worker']);
    expect(all.map((x) => `${x.clusterId}/${x.pool}`)).toEqual(['c1/worker', 'c2/infra']);
    expect(targeted.map((x) => `${x.clusterId}/${x.pool}`)).toEqual(['c2/infra']);
  });

  it('keeps the newest node observation when events arrive out of order', async () => {
    const base = {
      clusterId: 'c1',
      name: 'n1',
      pool: 'worker',
      currentConfig: 'v1',
      desiredConfig: 'v1',
      currentImage: null,
      desiredImage: null,
      state: 'Done',
      reason: null,
      unschedulable: false,
      ready: true,
    };
    expect(await recordNode(store, { ...base, observedAt: '2026-01-01T00:00:02.000Z' })).toBe(true);
    expect(
      await recordNode(store, { ...base, state: 'Working', observedAt: '2026-01-01T00:00:01.000Z' }),
    ).toBe(false);
    expect(await listNodes(store, 'c1')).toEqual([{ ...base, observedAt: '2026-01-01T00:00:02.000Z' }]);
  });

  it('appends audit events and records rendered configs idempotently', async () => {
    await appendEvent(store, {
      rolloutId: 'r1',
      time: now,
      kind: 'StatusChanged',
      message: 'a',
      actor: 'planner',
    });
    await appendEvent(store, {
      rolloutId: 'r1',
      time: now,
      kind: 'StatusChanged',
      message: 'b',
      actor: 'planner',
    });
    expect((await listEvents(store, 'r1')).map((e) => e.message).sort()).toEqual(['a', 'b']);
    const ref = {
      clusterId: 'c1',
      pool: 'worker',
      name: 'rendered-worker-x',
      image: null,
      sources: ['00-a'],
      renderedAt: now,
    };
    expect(await recordRendered(store, ref)).toBe(true);
    expect(await recordRendered(store, ref)).toBe(false);
    expect(await getRendered(store, 'c1', 'rendered-worker-x')).toEqual(ref);
  });
});
