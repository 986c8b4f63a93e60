/**
 * Reconciles one pool (reconcile queue) through its cluster's driver: `mco` paces MCO
 * (adapters/cluster/mco-reconcile.ts), `agent` moves the nodes itself (adapters/cluster/agent-reconcile.ts).
 * Both are safe to run concurrently and to repeat: only the pass whose conditional write wins acts.
 */
import { reconcileAgentPool } from '../adapters/cluster/agent-reconcile.ts';
import { type McoReconcileDeps as McoDeps, reconcileMcoPool } from '../adapters/cluster/mco-reconcile.ts';
import type { BeforeSideEffect } from '../adapters/cluster/node-steps.ts';
import { type SqsHandler, sqsConsumer } from '../adapters/lambda/sqs-batch.ts';
import { clusterDriver } from '../core/clusters.ts';
import type { Dependencies } from '../core/dependencies.ts';
import * as messages from '../core/messages.ts';
import type * as core from '../core/rollout/index.ts';
import type { Stores } from '../core/stores.ts';
import * as aws from '../wiring/aws.ts';

/** What pool-reconcile needs. */
export type PoolReconcileDeps = Pick<
  Dependencies,
  'clusters' | 'reconcileQueue' | 'planQueue' | 'now' | 'log'
> & {
  stores: Pick<Stores, 'pools' | 'rollouts'> & Partial<Pick<Stores, 'events'>>;
  settings?: McoDeps['settings'];
  /** Called before each cluster side effect; a throw here stands for a crash at that point. */
  beforeSideEffect?: BeforeSideEffect;
};

/** One reconcile of a pool, by its cluster's driver: mco paces MCO, agent moves the nodes itself. */
export async function reconcilePool(
  deps: PoolReconcileDeps,
  key: messages.ReconcilePoolMessage,
): Promise<core.PoolReconcileOutcome> {
  const connected = await deps.clusters.connect(key.clusterId);
  return clusterDriver(connected.record) === 'mco'
    ? reconcileMcoPool(deps as McoDeps, key, connected)
    : reconcileAgentPool(deps, key, connected);
}

/** The SQS consumer (partial batch failures reported: a failed pool is retried by SQS). */
export function createPoolReconcileHandler(deps: PoolReconcileDeps): SqsHandler {
  return sqsConsumer(messages.ReconcilePoolMessageSchema, 'reconcile message', (key) =>
    reconcilePool(deps, key),
  );
}

/** Lambda entry point (environment: functions/wiring/aws.ts). */
export const handler = aws.lambdaHandler('pool-reconcile', (log) =>
  createPoolReconcileHandler(aws.poolReconcileDeps(log)),
);
