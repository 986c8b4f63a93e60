/**
 * Cluster events (cluster-event queue, from each cluster's watch relay): maps a node or MachineConfigPool
 * change to the pool it concerns and enqueues that pool's reconcile (which re-reads the cluster), and adds
 * what a node's change shows to its update history (core/history: derived from the observed facts only).
 */
import { type SqsHandler, sqsConsumer } from '../adapters/lambda/sqs-batch.ts';
import type { Dependencies } from '../core/dependencies.ts';
import { observeNodeInOrder } from '../core/history/index.ts';
import {
  type ClusterEventMessage,
  ClusterEventMessageSchema,
  type ReconcilePoolMessage,
} from '../core/messages.ts';
import { poolOfChange } from '../core/rollout/index.ts';
import type { Stores } from '../core/stores.ts';
import * as aws from '../wiring/aws.ts';

/** What node-state needs (registrations cached on AWS: they change rarely, events are frequent). */
export type NodeStateDeps = Pick<Dependencies, 'registrations' | 'reconcileQueue' | 'log'> & {
  stores: Pick<Stores, 'history'>;
};

/**
 * Maps one change to the pool to reconcile and enqueues it (unless the relay says it needs no decision);
 * or says why it is dropped.
 */
export async function processClusterEvent(
  deps: NodeStateDeps,
  event: ClusterEventMessage,
): Promise<{ enqueued: ReconcilePoolMessage } | { dropped: string }> {
  const cluster = await deps.registrations.get(event.clusterId);
  if (!cluster) return { dropped: `cluster ${event.clusterId}: not registered` };
  const pool = poolOfChange(event, cluster.pools);
  if (!pool) return { dropped: `${event.kind} ${event.clusterId}/${event.name}: in no registered pool` };
  const key = { clusterId: event.clusterId, pool };
  if (event.decide !== false) await deps.reconcileQueue.send(key);
  const node = event.kind === 'Node' ? event.name : undefined;
  if (node && event.node && event.eventType !== 'DELETED') {
    const [at, facts, id] = [event.observedAt, event.node, { clusterId: event.clusterId, node }];
    await deps.stores.history.updateNodeHistory(event.clusterId, node, (h) =>
      observeNodeInOrder(h, id, facts, at, event.order),
    );
  }
  deps.log?.({ level: 'DEBUG', message: 'cluster event', ...key, node, eventType: event.eventType });
  return { enqueued: key };
}

/** Builds the SQS handler (partial batch failures reported). */
export function createNodeStateHandler(deps: NodeStateDeps): SqsHandler {
  return sqsConsumer(ClusterEventMessageSchema, 'cluster event', (e) => processClusterEvent(deps, e));
}

/** Lambda entry point (environment: functions/wiring/aws.ts). */
export const handler = aws.lambdaHandler('node-state', (log) =>
  createNodeStateHandler(aws.nodeStateDeps(log)),
);
