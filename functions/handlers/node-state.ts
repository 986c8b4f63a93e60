import { SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { SqsMessageQueue } from '../adapters/queue/index.ts';
import { type ClusterCache, createClusterCache } from '../adapters/store/clusters.ts';
import type { StoreContext } from '../adapters/store/context.ts';
import { createDocumentClient } from '../adapters/store/table.ts';
import {
  type ClusterEventMessage,
  ClusterEventMessageSchema,
  parseMessage,
  type ReconcilePoolMessage,
} from '../core/messages.ts';
import type { MessageQueue } from '../core/ports.ts';
import { primaryPool } from '../core/rollout/index.ts';
import { processSqsBatch } from './sqs-batch.ts';

/** What node-state needs. */
export interface NodeStateDeps {
  store: StoreContext;
  reconcileQueue: MessageQueue<ReconcilePoolMessage>;
  /** Cluster registrations cache (default: read every time). */
  clusters?: ClusterCache;
}

/** What happened to one event. */
export type NodeStateOutcome = { enqueued: ReconcilePoolMessage } | { dropped: string };

/** Maps one change to the pool to reconcile and enqueues it. */
export async function processClusterEvent(
  deps: NodeStateDeps,
  event: ClusterEventMessage,
): Promise<NodeStateOutcome> {
  const cluster = await (deps.clusters ?? createClusterCache(deps.store, 0)).get(event.clusterId);
  if (!cluster) return { dropped: `cluster ${event.clusterId}: not registered` };
  let pool: string | null;
  if (event.kind === 'MachineConfigPool') {
    pool = cluster.pools.some((p) => p.name === event.name) ? event.name : null;
  } else {
    pool = primaryPool(event.labels ?? {}, cluster.pools);
  }
  if (!pool) return { dropped: `${event.kind} ${event.clusterId}/${event.name}: in no registered pool` };
  const key = { clusterId: event.clusterId, pool };
  await deps.reconcileQueue.send(key);
  return { enqueued: key };
}

/** Builds the SQS handler (partial batch failures reported). */
export function createNodeStateHandler(
  deps: NodeStateDeps,
): (event: SQSEvent, context: Context) => Promise<SQSBatchResponse> {
  return (event, context) => {
    return processSqsBatch(event, context, async (body, r) => {
      const parsed = parseMessage(ClusterEventMessageSchema, body, `cluster event ${r.messageId}`);
      return parsed.ok ? processClusterEvent(deps, parsed.message) : { dropped: parsed.reason };
    });
  };
}

let built: ReturnType<typeof createNodeStateHandler> | undefined;

/** Lambda entry point: TABLE_NAME, RECONCILE_QUEUE_URL. */
export const handler = (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
  if (built === undefined) {
    const tableName = process.env.TABLE_NAME;
    const reconcileUrl = process.env.RECONCILE_QUEUE_URL;
    if (!tableName || !reconcileUrl) throw new Error('TABLE_NAME and RECONCILE_QUEUE_URL must be set');
    const store = { doc: createDocumentClient(), tableName };
    built = createNodeStateHandler({
      store,
      clusters: createClusterCache(store, 30),
      reconcileQueue: new SqsMessageQueue<ReconcilePoolMessage>({
        client: new SQSClient({}),
        queueUrl: reconcileUrl,
      }),
    });
  }
  return built(event, context);
};
