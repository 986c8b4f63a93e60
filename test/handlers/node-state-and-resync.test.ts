import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClusterCache } from '../../functions/adapters/store/clusters.ts';
import type { StoreContext } from '../../functions/adapters/store/context.ts';
import { dynamoStores } from '../../functions/adapters/store/index.ts';
import { getPool, putPoolIfVersion } from '../../functions/adapters/store/pools.ts';
import { registerClusterWithPools } from '../../functions/adapters/store/registry.ts';
import { createRollout } from '../../functions/adapters/store/rollouts.ts';
import type { PlanRolloutMessage, ReconcilePoolMessage } from '../../functions/core/ports.ts';
import { InvalidPolicyError } from '../../functions/core/rollout/index.ts';
import { processClusterEvent } from '../../functions/handlers/node-state.ts';
import { resync } from '../../functions/handlers/resync.ts';
import { startTestTable, type TestTable } from '../support/dynalite.ts';

describe('node-state and resync', () => {
  let table: TestTable;
  let store: StoreContext;
  const reconcile: ReconcilePoolMessage[] = [];
  const plan: PlanRolloutMessage[] = [];
  const reconcileQueue = { send: async (m: ReconcilePoolMessage) => void reconcile.push(m) };
  const planQueue = { send: async (m: PlanRolloutMessage) => void plan.push(m) };
  beforeAll(async () => {
    table = await startTestTable();
    store = { doc: table.doc, tableName: table.tableName };
    await registerClusterWithPools(store, {
      id: 'c1',
      endpoint: 'https://127.0.0.1:1',
      credentials: { kind: 'token-secret', secretName: 'c1' },
      labels: {},
      pools: [
        { name: 'worker', nodeSelector: { 'node-role.kubernetes.io/worker': '' } },
        { name: 'infra', nodeSelector: { 'node-role.kubernetes.io/infra': '' } },
      ],
    });
  });
  afterAll(async () => table.close());

  const event = (labels: Record<string, string>, clusterId = 'c1') => ({
    clusterId,
    kind: 'Node' as const,
    name: 'n1',
    eventType: 'MODIFIED' as const,
    labels,
    observedAt: '2026-01-01T00:00:00.000Z',
  });

  it('maps a node change to its primary pool (custom pool over worker) and enqueues that key', async () => {
    const out = await processClusterEvent(
      { stores: dynamoStores(store), registrations: createClusterCache(store, 0), reconcileQueue },
      event({ 'node-role.kubernetes.io/worker': '', 'node-role.kubernetes.io/infra': '' }),
    );
    expect(out).toEqual({ enqueued: { clusterId: 'c1', pool: 'infra' } });
    expect(reconcile.at(-1)).toEqual({ clusterId: 'c1', pool: 'infra' });
  });

  it('a change the relay marks as needing no decision enqueues no reconcile, but still reaches the history', async () => {
    // Prepare
    const deps = { stores: dynamoStores(store), registrations: createClusterCache(store, 0), reconcileQueue };
    const before = reconcile.length;
    const facts = {
      unschedulable: false,
      ready: true,
      annotations: { 'machineconfiguration.openshift.io/desiredConfig': 'rendered-z' },
    };
    // Act
    await processClusterEvent(deps, {
      ...event({ 'node-role.kubernetes.io/worker': '' }),
      name: 'n3',
      node: facts,
      decide: false,
    });
    // Assess
    expect(reconcile.length).toBe(before);
    expect(await deps.stores.history.getNodeHistory('c1', 'n3')).not.toBeNull();
  });

  it('drops events of unknown clusters and of nodes in no pool, with the reason', async () => {
    const before = reconcile.length;
    expect(
      await processClusterEvent(
        { stores: dynamoStores(store), registrations: createClusterCache(store, 0), reconcileQueue },
        event({}, 'c9'),
      ),
    ).toEqual({
      dropped: 'cluster c9: not registered',
    });
    expect(
      await processClusterEvent(
        { stores: dynamoStores(store), registrations: createClusterCache(store, 0), reconcileQueue },
        event({ 'kubernetes.io/os': 'windows' }),
      ),
    ).toEqual({
      dropped: 'Node c1/n1: in no registered pool',
    });
    expect(reconcile.length).toBe(before);
  });

  it("records a node's update history from the facts its events carry, in the table, one item per node", async () => {
    // Prepare: three observations of n2 (a worker): Done on rendered-a, cordoned, told rendered-b; one of
    // them delivered twice and one older than the rest arriving last (queues duplicate and reorder).
    const deps = { stores: dynamoStores(store), registrations: createClusterCache(store, 0), reconcileQueue };
    const facts = (unschedulable: boolean, desired: string) => ({
      unschedulable,
      ready: true,
      annotations: {
        'machineconfiguration.openshift.io/currentConfig': 'rendered-a',
        'machineconfiguration.openshift.io/desiredConfig': desired,
        'machineconfiguration.openshift.io/state': 'Done',
      },
    });
    const at = (s: number) => `2026-01-01T00:00:0${s}.000Z`;
    const change = (s: number, node: ReturnType<typeof facts>) => ({
      ...event({ 'node-role.kubernetes.io/worker': '' }),
      name: 'n2',
      node,
      observedAt: at(s),
    });
    // Act
    await processClusterEvent(deps, change(1, facts(false, 'rendered-a')));
    await processClusterEvent(deps, change(2, facts(true, 'rendered-a')));
    await processClusterEvent(deps, change(3, facts(true, 'rendered-b')));
    await processClusterEvent(deps, change(3, facts(true, 'rendered-b')));
    await processClusterEvent(deps, change(2, facts(false, 'rendered-a')));
    // Assess
    const history = await deps.stores.history.getNodeHistory('c1', 'n2');
    expect(history).toMatchObject({ observedAt: at(3), version: 3 });
    expect(history!.attempts).toEqual([
      {
        target: { config: 'rendered-b', image: null },
        startedAt: at(2),
        steps: [
          { step: 'cordon', at: at(2) },
          { step: 'target', at: at(3) },
        ],
        endedAt: null,
        result: null,
        reason: null,
      },
    ]);
    const item = await table.doc.send(
      new GetCommand({ TableName: table.tableName, Key: { pk: 'CLUSTER#c1', sk: 'HISTORY#n2' } }),
    );
    expect(item.Item!.ttl).toBe(Date.parse(at(3)) / 1000 + 90 * 24 * 3600);
  });

  it('registration refuses bad input naming the cluster and field, and writes nothing', async () => {
    await expect(
      registerClusterWithPools(store, {
        id: 'c2',
        endpoint: 'https://x',
        credentials: { kind: 'token-secret', secretName: 'c2' },
        labels: {},
        pools: [{ name: 'worker', nodeSelector: {}, maxUnavailable: '10 percent' as never }],
      }),
    ).rejects.toThrow(/cluster c2: pools\[0\] \(worker\)\.maxUnavailable/);
    await expect(
      registerClusterWithPools(store, {
        id: 'c2',
        endpoint: 'https://x',
        credentials: { kind: 'token-secret', secretName: 'c2' },
        labels: {},
        pools: [{ name: 'worker', nodeSelector: {} }],
        windows: [{ cron: 'soon', durationMinutes: 5 }],
      }),
    ).rejects.toThrow(InvalidPolicyError);
    expect(await getPool(store, 'c2', 'worker')).toBeNull();
  });

  it('resync enqueues live rollouts and pools with work, not finished or terminal ones', async () => {
    // Prepare: worker has a target not yet reached; infra has a baseline and no target.
    const base = {
      track: 'prod',
      image: { host: 'quay.io', repository: 'acme/os', digest: `sha256:${'b'.repeat(64)}` },
      strategy: {
        waves: [],
        maxConcurrentClusters: 1,
        soakSeconds: 0,
        poolFailureBudget: 0,
        fleetFailureBudget: 0,
        onFailure: 'halt' as const,
      },
      targets: { clusterSelector: {}, pools: ['worker'] },
      cause: 'test',
      version: 1,
    };
    await createRollout(store, {
      ...base,
      id: 'live',
      status: 'Progressing',
      createdAt: '2026-01-01T00:00:00.000Z',
    });
    await createRollout(store, {
      ...base,
      id: 'old',
      status: 'Completed',
      createdAt: '2025-01-01T00:00:00.000Z',
    });
    const w = (await getPool(store, 'c1', 'worker'))!;
    await putPoolIfVersion(
      store,
      { ...w, target: { config: 'r2', image: null, rolloutId: 'live' } },
      w.version,
    );
    const i = (await getPool(store, 'c1', 'infra'))!;
    await putPoolIfVersion(store, { ...i, lastCompleted: { config: 'r1', image: null } }, i.version);
    // Act
    const out = await resync({ stores: dynamoStores(store), planQueue, reconcileQueue });
    // Assess
    expect(out).toEqual({ rollouts: ['live'], pools: ['c1/worker'] });
    expect(plan).toEqual([{ rolloutId: 'live' }]);
  });

  it('resync leaves a pool whose poll chain is running to its chain, and takes up one whose chain was lost', async () => {
    // Prepare: the worker pool still has work (previous test); its chain is due in 10 s.
    const now = new Date('2026-01-01T00:00:00.000Z');
    const at = (s: number) => new Date(now.getTime() + s * 1000).toISOString();
    const w = (await getPool(store, 'c1', 'worker'))!;
    const running = await putPoolIfVersion(store, { ...w, nextPollAt: at(10) }, w.version);
    // Act 1
    const quiet = await resync({ stores: dynamoStores(store), planQueue, reconcileQueue, now: () => now });
    // Assess 1
    expect(quiet.pools).toEqual([]);
    // Act 2: the chain was due 60 s ago (its message lost).
    await putPoolIfVersion(store, { ...running, nextPollAt: at(-60) }, running.version);
    const lost = await resync({ stores: dynamoStores(store), planQueue, reconcileQueue, now: () => now });
    // Assess 2
    expect(lost.pools).toEqual(['c1/worker']);
  });
});
