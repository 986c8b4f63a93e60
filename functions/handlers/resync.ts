/**
 * Resync tick: re-enqueues every live rollout's plan and every pool that has work (a target not yet
 * reached, slots held, no baseline yet). Lost messages then cost only time, never progress.
 */
import type { Context, ScheduledEvent } from 'aws-lambda';
import type { Dependencies } from '../core/dependencies.ts';
import { isLive, needsReconcile } from '../core/rollout/index.ts';
import type { Stores } from '../core/stores.ts';
import * as aws from '../wiring/aws.ts';

/** What resync needs. */
export type ResyncDeps = Pick<Dependencies, 'planQueue' | 'reconcileQueue' | 'log'> & {
  stores: Pick<Stores, 'rollouts' | 'pools'>;
};

/** What one tick enqueued. */
export interface ResyncOutcome {
  rollouts: string[];
  pools: string[];
}

/** Enqueues plan passes for live rollouts and reconciles for pools with work. */
export async function resync(deps: ResyncDeps): Promise<ResyncOutcome> {
  const rollouts: string[] = [];
  for (const r of await deps.stores.rollouts.listRollouts()) {
    if (!isLive(r.status)) continue;
    await deps.planQueue.send({ rolloutId: r.id });
    rollouts.push(r.id);
  }
  const pools: string[] = [];
  for (const p of await deps.stores.pools.listAllPools()) {
    if (!needsReconcile(p)) continue;
    await deps.reconcileQueue.send({ clusterId: p.clusterId, pool: p.pool });
    pools.push(`${p.clusterId}/${p.pool}`);
  }
  deps.log?.({ level: 'INFO', message: 'resync', rollouts, pools });
  return { rollouts, pools };
}

/** Builds the scheduled handler. */
export function createResyncHandler(
  deps: ResyncDeps,
): (event: ScheduledEvent, context: Context) => Promise<ResyncOutcome> {
  return () => resync(deps);
}

/** Lambda entry point (environment: functions/wiring/aws.ts). */
export const handler = aws.lambdaHandler('resync', (log) => createResyncHandler(aws.resyncDeps(log)));
