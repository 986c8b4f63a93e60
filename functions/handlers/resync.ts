/**
 * Resync tick: re-enqueues every live rollout's plan and every pool that has work (core/rollout). Lost
 * messages then cost only time, never progress.
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

/** Enqueues plan passes for live rollouts and reconciles for pools with work; says which. */
export async function resync(deps: ResyncDeps): Promise<{ rollouts: string[]; pools: string[] }> {
  const live = (await deps.stores.rollouts.listRollouts()).filter((r) => isLive(r.status));
  for (const r of live) await deps.planQueue.send({ rolloutId: r.id });
  const work = (await deps.stores.pools.listAllPools()).filter(needsReconcile);
  for (const p of work) await deps.reconcileQueue.send({ clusterId: p.clusterId, pool: p.pool });
  const outcome = { rollouts: live.map((r) => r.id), pools: work.map((p) => `${p.clusterId}/${p.pool}`) };
  deps.log?.({ level: 'INFO', message: 'resync', ...outcome });
  return outcome;
}

/** Builds the scheduled handler. */
export function createResyncHandler(
  deps: ResyncDeps,
): (event: ScheduledEvent, context: Context) => Promise<unknown> {
  return () => resync(deps);
}

/** Lambda entry point (environment: functions/wiring/aws.ts). */
export const handler = aws.lambdaHandler('resync', (log) => createResyncHandler(aws.resyncDeps(log)));
