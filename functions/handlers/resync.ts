/**
 * Resync tick: re-enqueues every live rollout's plan and every pool that has work (core/rollout). Lost
 * messages then cost only time, never progress.
 */
import type { Context, ScheduledEvent } from 'aws-lambda';
import { sendAll } from '../adapters/queue/send-all.ts';
import type { Dependencies } from '../core/dependencies.ts';
import { DEFAULT_RECONCILE_SETTINGS, isLive, needsReconcile, pollChainAlive } from '../core/rollout/index.ts';
import type { Stores } from '../core/stores.ts';
import * as aws from '../wiring/aws.ts';

/** What resync needs. */
export type ResyncDeps = Pick<Dependencies, 'planQueue' | 'reconcileQueue' | 'log' | 'now'> & {
  stores: Pick<Stores, 'rollouts' | 'pools'>;
};

/**
 * Enqueues plan passes for live rollouts and reconciles for pools with work whose poll chain is not running
 * (a running chain looks at its pool soon anyway), in batches; says which.
 */
export async function resync(deps: ResyncDeps): Promise<{ rollouts: string[]; pools: string[] }> {
  const now = (deps.now ?? (() => new Date()))();
  const grace = DEFAULT_RECONCILE_SETTINGS.pollGraceSeconds;
  const live = (await deps.stores.rollouts.listRollouts()).filter((r) => isLive(r.status));
  await sendAll(
    deps.planQueue,
    live.map((r) => ({ rolloutId: r.id })),
  );
  const work = (await deps.stores.pools.listAllPools()).filter(
    (p) => needsReconcile(p) && !pollChainAlive(p, now, grace),
  );
  await sendAll(
    deps.reconcileQueue,
    work.map((p) => ({ clusterId: p.clusterId, pool: p.pool })),
  );
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
