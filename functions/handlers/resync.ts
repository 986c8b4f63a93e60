/**
 * Resync tick: re-enqueues every live rollout's plan and every pool that has work (a target not yet
 * reached, or slots held). Lost messages then cost only time, never progress.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { SqsMessageQueue } from '../adapters/queue/index.ts';
import type { StoreContext } from '../adapters/store/context.ts';
import { listAllPools } from '../adapters/store/pools.ts';
import { listRollouts } from '../adapters/store/rollouts.ts';
import { createDocumentClient } from '../adapters/store/table.ts';
import type { MessageQueue, PlanRolloutMessage, ReconcilePoolMessage } from '../core/ports.ts';
import { isTerminal } from '../core/rollout/index.ts';

/** What resync needs. */
export interface ResyncDeps {
  store: StoreContext;
  planQueue: MessageQueue<PlanRolloutMessage>;
  reconcileQueue: MessageQueue<ReconcilePoolMessage>;
}

/** What one tick enqueued. */
export interface ResyncOutcome {
  rollouts: string[];
  pools: string[];
}

/** Enqueues plan passes for live rollouts and reconciles for pools with work. */
export async function resync(deps: ResyncDeps): Promise<ResyncOutcome> {
  const rollouts: string[] = [];
  for (const r of await listRollouts(deps.store)) {
    if (isTerminal(r.status) || r.status === 'Paused' || r.status === 'Halted') continue;
    await deps.planQueue.send({ rolloutId: r.id });
    rollouts.push(r.id);
  }
  const pools: string[] = [];
  for (const p of await listAllPools(deps.store)) {
    const reached = p.target !== null && p.reached;
    const active = Object.values(p.slots).some((s) => !s.failed);
    if (active || (p.target && !reached) || (!p.target && !p.lastCompleted)) {
      await deps.reconcileQueue.send({ clusterId: p.clusterId, pool: p.pool });
      pools.push(`${p.clusterId}/${p.pool}`);
    }
  }
  return { rollouts, pools };
}

/** Builds the scheduled handler. */
export function createResyncHandler(
  deps: ResyncDeps,
): (event: ScheduledEvent, context: Context) => Promise<ResyncOutcome> {
  return () => resync(deps);
}

let built: ReturnType<typeof createResyncHandler> | undefined;

/** Lambda entry point: TABLE_NAME, PLAN_QUEUE_URL, RECONCILE_QUEUE_URL. */
export const handler = (event: ScheduledEvent, context: Context): Promise<ResyncOutcome> => {
  if (built === undefined) {
    const tableName = process.env.TABLE_NAME;
    const planUrl = process.env.PLAN_QUEUE_URL;
    const reconcileUrl = process.env.RECONCILE_QUEUE_URL;
    if (!tableName || !planUrl || !reconcileUrl) {
      throw new Error('TABLE_NAME, PLAN_QUEUE_URL and RECONCILE_QUEUE_URL must be set');
    }
    const sqs = new SQSClient({});
    built = createResyncHandler({
      store: { doc: createDocumentClient(), tableName },
      planQueue: new SqsMessageQueue<PlanRolloutMessage>({ client: sqs, queueUrl: planUrl }),
      reconcileQueue: new SqsMessageQueue<ReconcilePoolMessage>({ client: sqs, queueUrl: reconcileUrl }),
    });
  }
  return built(event, context);
};
