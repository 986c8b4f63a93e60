import type { Context, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClusterConnector } from '../../functions/adapters/cluster/connector.ts';
import { createCredentialsResolver } from '../../functions/adapters/cluster/credentials.ts';
import { staticTokens } from '../../functions/adapters/secrets/tokens.ts';
import type { StoreContext } from '../../functions/adapters/store/context.ts';
import { dynamoStores } from '../../functions/adapters/store/index.ts';
import { getPool, putPoolIfVersion } from '../../functions/adapters/store/pools.ts';
import { createRollout } from '../../functions/adapters/store/rollouts.ts';
import { NodeAnnotations } from '../../functions/core/model.ts';
import type { ReconcilePoolMessage } from '../../functions/core/ports.ts';
import {
  createPoolReconcileHandler,
  type PoolReconcileDeps,
  reconcilePool,
} from '../../functions/handlers/pool-reconcile.ts';
import { InProcessQueue } from '../../local/in-process-queue.ts';
import { type Fleet, startFleet } from '../../sim/index.ts';
import { digestOf, registerFleet } from '../rollout/harness.ts';
import { fleetScenario } from '../rollout/scenarios.ts';
import { startTestTable, type TestTable } from '../support/dynalite.ts';

describe('pool-reconcile', () => {
  let table: TestTable;
  let fleet: Fleet;
  let store: StoreContext;
  let deps: PoolReconcileDeps;
  const sent: ReconcilePoolMessage[] = [];
  const key = { clusterId: 'a', pool: 'worker' };
  const image = `quay.io/strata/rhcos-layered@${digestOf('v2')}`;
  beforeAll(async () => {
    table = await startTestTable();
    fleet = await startFleet(fleetScenario({ clusters: [{ name: 'a', nodes: 3 }] }), { clock: 'manual' });
    store = { doc: table.doc, tableName: table.tableName };
    const now = () => new Date(Date.parse('2026-06-01T00:00:00Z') + fleet.clock.now());
    const tokens = await registerFleet(store, fleet, now());
    deps = {
      stores: dynamoStores(store),
      clusters: createClusterConnector(store, createCredentialsResolver(staticTokens(tokens))),
      reconcileQueue: { send: async (m) => void sent.push(m) },
      planQueue: new InProcessQueue(),
      now,
      settings: { pollSeconds: 3 },
    };
  });
  afterAll(async () => {
    await fleet.stop();
    await table.close();
  });

  it('records the baseline config when the pool has no target, and asks for nothing more', async () => {
    const outcome = await reconcilePool(deps, key);
    const pool = (await getPool(store, 'a', 'worker'))!;
    const node = fleet.cluster('a').state.nodes.list()[0]!;
    expect(pool.lastCompleted).toEqual({
      config: node.annotations[NodeAnnotations.currentConfig],
      image: node.annotations[NodeAnnotations.currentImage],
    });
    expect(outcome.requeueAfterSeconds).toBeNull();
  });

  it('a crash after the intent write and before the cordon is repaired by the next reconcile, without a second start', async () => {
    // Prepare: the pool targets v2 for a Progressing rollout.
    await createRollout(store, {
      id: 'prod-v2',
      track: 'prod',
      image: { host: 'quay.io', repository: 'strata/rhcos-layered', digest: digestOf('v2') },
      strategy: {
        waves: [],
        maxConcurrentClusters: 1,
        soakSeconds: 0,
        poolFailureBudget: 0,
        fleetFailureBudget: 0,
        onFailure: 'halt',
      },
      targets: { clusterSelector: {}, pools: ['worker'] },
      status: 'Progressing',
      cause: 'test',
      createdAt: '2026-06-01T00:00:00.000Z',
      version: 1,
    });
    const p = (await getPool(store, 'a', 'worker'))!;
    await putPoolIfVersion(
      store,
      { ...p, target: { config: 'rendered-worker-v2', image, rolloutId: 'prod-v2' }, reached: false },
      p.version,
    );
    // Act 1: crash just before the first cordon.
    await expect(
      reconcilePool(
        {
          ...deps,
          beforeSideEffect: (point) => {
            if (point.kind === 'cordon') throw new Error('crash');
          },
        },
        key,
      ),
    ).rejects.toThrow('crash');
    // Assess 1: intent recorded, node untouched.
    const afterCrash = (await getPool(store, 'a', 'worker'))!;
    const slotted = Object.keys(afterCrash.slots);
    expect(slotted).toHaveLength(1);
    const node = () =>
      fleet
        .cluster('a')
        .state.nodes.list()
        .find((n) => n.name === slotted[0])!;
    expect(node().unschedulable).toBe(false);
    // Act 2: the next reconcile (any message for this key).
    const outcome = await reconcilePool(deps, key);
    // Assess 2: same node, now cordoned and told the target; no other start; requeued while it works.
    expect(outcome.started).toEqual([]);
    expect(Object.keys((await getPool(store, 'a', 'worker'))!.slots)).toEqual(slotted);
    expect(node().unschedulable).toBe(true);
    expect(node().annotations[NodeAnnotations.desiredConfig]).toBe('rendered-worker-v2');
    expect(node().annotations[NodeAnnotations.desiredImage]).toBe(image);
    expect(outcome.requeueAfterSeconds).toBe(3);
    const chain = (await getPool(store, 'a', 'worker'))!.nextPollAt;
    expect(chain).toBe(new Date(deps.now!().getTime() + 3000).toISOString());
    expect(sent.at(-1)).toEqual({ ...key, poll: chain });
  });

  it('one poll chain per pool: event reconciles and duplicate deliveries start none; the chain message carries it on', async () => {
    // Prepare: the pool has a node in flight and a chain due in 3 s (previous test).
    const chain = (await getPool(store, 'a', 'worker'))!.nextPollAt!;
    const before = sent.length;
    // Act 1: two reconciles caused by cluster events (no poll token).
    const fromEvents = [await reconcilePool(deps, key), await reconcilePool(deps, key)];
    // Assess 1: no new delayed message; the chain is unchanged.
    expect(fromEvents.map((o) => o.requeueAfterSeconds)).toEqual([null, null]);
    expect(sent.length).toBe(before);
    expect((await getPool(store, 'a', 'worker'))!.nextPollAt).toBe(chain);
    // Act 2: the chain's message is delivered twice (SQS: at least once), 3 s later.
    await fleet.advance(3000);
    const first = await reconcilePool(deps, { ...key, poll: chain });
    const duplicate = await reconcilePool(deps, { ...key, poll: chain });
    // Assess 2: the first copy carries the chain on, the duplicate ends.
    const next = (await getPool(store, 'a', 'worker'))!.nextPollAt!;
    expect(first.requeueAfterSeconds).toBe(3);
    expect(duplicate.requeueAfterSeconds).toBeNull();
    expect(Date.parse(next)).toBeGreaterThan(Date.parse(chain));
    expect(sent.slice(before)).toEqual([{ ...key, poll: next }]);
  });

  it('the SQS handler drops a malformed key (not retried) and reports nothing failed', async () => {
    const handler = createPoolReconcileHandler(deps);
    const event = {
      Records: [
        { messageId: 'm1', body: JSON.stringify({ clusterId: '' }), attributes: {}, eventSource: 'aws:sqs' },
      ],
    } as unknown as SQSEvent;
    const result = await handler(event, { getRemainingTimeInMillis: () => 60_000 } as unknown as Context);
    expect(result.batchItemFailures).toEqual([]);
  });
});
