import { afterEach, describe, expect, it } from 'vitest';
import { createClusterCache, registerCluster } from '../../functions/adapters/store/clusters.ts';
import { dynamoStores } from '../../functions/adapters/store/index.ts';
import type { ClusterEventMessage, ReconcilePoolMessage } from '../../functions/core/ports.ts';
import { createNodeStateHandler, handler as nodeStateLambda } from '../../functions/handlers/node-state.ts';
import { type Runtime, startRuntime } from '../../local/runtime.ts';
import { eventually, receiveAll } from './helpers.ts';

// The runtime runs the very handlers Lambda runs: here node-state, once built from the runtime's clients
// and once as the Lambda entry point building its own clients from the exported environment.
let runtime: Runtime | undefined;
afterEach(async () => {
  await runtime?.stop();
  runtime = undefined;
});

const event = (name: string): ClusterEventMessage => ({
  clusterId: 'edge-1',
  kind: 'Node',
  name,
  eventType: 'MODIFIED',
  labels: { 'node-role.kubernetes.io/worker': '' },
  observedAt: '2026-01-01T00:00:00Z',
});

async function registerEdgeCluster(r: Runtime): Promise<void> {
  await registerCluster(r.context.store, {
    id: 'edge-1',
    endpoint: 'https://127.0.0.1:6443',
    credentials: { kind: 'kubeconfig', path: '/dev/null' },
    labels: {},
    pools: [{ name: 'worker', nodeSelector: { 'node-role.kubernetes.io/worker': '' } }],
    registeredAt: '2026-01-01T00:00:00Z',
    version: 1,
  });
}

async function reconcileMessages(r: Runtime): Promise<ReconcilePoolMessage[]> {
  const bodies = await receiveAll(r.context.sqs, r.context.queueAddresses.reconcile.url);
  return bodies.map((b) => JSON.parse(b) as ReconcilePoolMessage);
}

describe('real handlers on the embedded runtime', () => {
  it('node-state built from the runtime clients maps a node event to its pool reconcile', async () => {
    runtime = await startRuntime({
      waitTimeSeconds: 1,
      handlers: (ctx) => ({
        'node-state': createNodeStateHandler({
          stores: dynamoStores(ctx.store),
          registrations: createClusterCache(ctx.store, 0),
          reconcileQueue: ctx.queues.reconcile,
        }),
      }),
    });
    await registerEdgeCluster(runtime);

    await runtime.context.queues.clusterEvent.send(event('worker-0'));

    const r = runtime;
    const messages = await eventually('a reconcile message', async () => {
      const m = await reconcileMessages(r);
      return m.length > 0 ? m : undefined;
    });
    expect(messages).toEqual([{ clusterId: 'edge-1', pool: 'worker' }]);
  });

  it('the Lambda entry point finds the table and queues through the exported environment', async () => {
    runtime = await startRuntime({
      waitTimeSeconds: 1,
      exportEnvironment: true,
      handlers: { 'node-state': nodeStateLambda },
    });
    await registerEdgeCluster(runtime);

    await runtime.context.queues.clusterEvent.send(event('worker-1'));

    const r = runtime;
    const messages = await eventually('a reconcile message', async () => {
      const m = await reconcileMessages(r);
      return m.length > 0 ? m : undefined;
    });
    expect(messages).toEqual([{ clusterId: 'edge-1', pool: 'worker' }]);
  });
});
