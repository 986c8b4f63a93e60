/**
 * The end of a pool reconcile, shared by both drivers: the report write and the pool's one poll chain
 * (core/rollout/poll-chain.ts). The chain's next due time rides on the write the reconcile makes anyway
 * when there is one, so a reconcile writes the pool at most once here.
 */
import type { Dependencies } from '../../core/dependencies.ts';
import type * as messages from '../../core/messages.ts';
import { VersionConflictError } from '../../core/retry.ts';
import * as core from '../../core/rollout/index.ts';
import type { Stores } from '../../core/stores.ts';

/** What finishing a reconcile needs. */
export type FinishDeps = Pick<Dependencies, 'reconcileQueue'> & { stores: Pick<Stores, 'pools'> };

/** What {@link finishReconcile} did. */
export interface Finished {
  /** The pool as written, or as last known when nothing was written. */
  pool: core.PoolRecord;
  /** The delay of the poll message sent, or null when this reconcile sent none. */
  polled: number | null;
}

/**
 * Writes `report` (the pool's new report, or null) conditionally on `known`'s version, with the next poll
 * time when this reconcile carries the pool's chain on, and then sends the chain's delayed message. A lost
 * race on the write leaves the report to the winner (at least as fresh) and decides the chain again on the
 * pool as it now is.
 */
export async function finishReconcile(
  deps: FinishDeps,
  message: messages.ReconcilePoolMessage,
  known: core.PoolRecord,
  report: core.PoolRecord | null,
  delaySeconds: number | null,
  now: Date,
  graceSeconds: number,
): Promise<Finished> {
  const { pools } = deps.stores;
  const decide = (pool: core.PoolRecord) =>
    core.claimPoll({ pool, poll: message.poll, delaySeconds, now, graceSeconds });
  let next = decide(known);
  const toWrite = next ? { ...(report ?? known), nextPollAt: next } : report;
  let pool = known;
  if (toWrite) {
    try {
      pool = await pools.putPoolIfVersion(toWrite, known.version);
    } catch (error) {
      if (!(error instanceof VersionConflictError)) throw error;
      if (next) {
        const fresh = await pools.updatePool(message.clusterId, message.pool, (current) => {
          next = decide(current);
          return next ? { ...current, nextPollAt: next } : null;
        });
        if (fresh) pool = fresh;
        else next = null;
      }
    }
  }
  if (!next || delaySeconds === null) return { pool, polled: null };
  await deps.reconcileQueue.send(
    { clusterId: message.clusterId, pool: message.pool, poll: next },
    { delaySeconds },
  );
  return { pool, polled: delaySeconds };
}
