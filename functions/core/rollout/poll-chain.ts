/**
 * One poll chain per pool. A pool that needs to be looked at again by itself (nodes in flight, a refused
 * eviction, a window to wait for) has exactly one delayed reconcile message on its way: the pool item
 * records when it is due (`nextPollAt`) and the message carries the same time (`poll`). Only that message
 * sends the next one; reconciles caused by cluster events, the resync tick or duplicate deliveries
 * (SQS delivers at least once) do not start chains of their own. A chain whose message went missing
 * (lost, or stuck behind a failing handler) is taken over once it is `graceSeconds` overdue, and a reconcile
 * that needs the pool looked at sooner than the chain's next poll takes the chain over (the old message
 * then finds a different `nextPollAt` and ends). Pure.
 */
import type { PoolRecord } from './pool-state.ts';

/** What the chain decision needs. */
export interface PollChainInput {
  /** The pool as last read or written. */
  pool: Pick<PoolRecord, 'nextPollAt'>;
  /** The `poll` token of the message being handled (absent: an event, resync or admin reconcile). */
  poll: string | undefined;
  /** When the pool should be reconciled again by itself (requeueAfter), or null: events move it on. */
  delaySeconds: number | null;
  now: Date;
  /** How long past its due time a chain counts as lost. */
  graceSeconds: number;
}

/** True while the pool's chain has a message on its way (due, or overdue by less than the grace). */
export function pollChainAlive(
  pool: Pick<PoolRecord, 'nextPollAt'>,
  now: Date,
  graceSeconds: number,
): boolean {
  if (!pool.nextPollAt) return false;
  const due = Date.parse(pool.nextPollAt);
  return Number.isFinite(due) && now.getTime() <= due + graceSeconds * 1000;
}

/**
 * The pool's next poll time when this reconcile carries the chain on (write it to the pool item, then send
 * the message with it as `poll`, delayed by `delaySeconds`), or null when it sends nothing.
 */
export function claimPoll(input: PollChainInput): string | null {
  if (input.delaySeconds === null) return null;
  const due = new Date(input.now.getTime() + input.delaySeconds * 1000);
  const owner = input.poll !== undefined && input.poll === input.pool.nextPollAt;
  if (owner || !pollChainAlive(input.pool, input.now, input.graceSeconds)) return due.toISOString();
  // The chain is alive: only a need to look sooner than its next poll takes it over.
  const next = Date.parse(input.pool.nextPollAt!);
  return due.getTime() < next ? due.toISOString() : null;
}
