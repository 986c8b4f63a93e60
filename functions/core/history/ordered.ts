/**
 * Applying a node's observations in the order its relay saw them, whatever order the queue delivers them
 * in. A node's history is derived from the change between consecutive observations, so one applied out of
 * order (or dropped as older) loses the steps between (a reboot's not-ready and ready) or repeats them
 * backwards. The relay numbers each node's observations per run; one that arrives ahead of its
 * predecessor waits in the record until the predecessor comes, or until waiting any longer is pointless
 * (the predecessor was lost: a failed send).
 */
import type { NodeHistory } from './node-history.ts';
import {
  applyObservation,
  type NodeHistoryRecord,
  nodeHistoryAnswer,
  type ObservationOrder,
  observeNode,
  type PendingObservation,
} from './node-history.ts';
import type { ObservedNode } from './observed-node.ts';

/** Observations held back per node at most; one more and the oldest is applied without its predecessor. */
export const MAX_PENDING = 10;
/** A predecessor still missing when a later observation is this much newer is taken as lost. */
export const GAP_SECONDS = 60;

/**
 * Read with the history, an observation waiting this long for its predecessor is shown as if the
 * predecessor was lost: the write path moves on only when a later observation arrives, and a node that
 * fails and then stays as it is sends none.
 */
export const READ_GAP_SECONDS = 15;

const compare = (a: ObservationOrder, b: ObservationOrder): number =>
  a.run < b.run ? -1 : a.run > b.run ? 1 : a.n - b.n;

/** Whether `next` directly follows `last` (the next of the same run, or the first of a later run). */
function follows(last: ObservationOrder | undefined, next: ObservationOrder): boolean {
  if (!last) return true;
  return next.run === last.run ? next.n === last.n + 1 : next.run > last.run && next.n === 1;
}

/**
 * The history after one observation numbered by its relay (`order`), or null when nothing is to be
 * written (a duplicate, or an observation older than the ones applied). Without `order` (older relays):
 * {@link observeNode}, which drops an observation older than the last.
 */
export function observeNodeInOrder(
  current: NodeHistoryRecord | null,
  key: { clusterId: string; node: string },
  observed: ObservedNode,
  at: string,
  order?: ObservationOrder,
): NodeHistoryRecord | null {
  if (!order) return observeNode(current, key, observed, at);
  if (!current) return { ...observeNode(null, key, observed, at)!, order };
  if (current.order && compare(order, current.order) <= 0) return null;
  const waiting = current.pending ?? [];
  if (waiting.some((p) => compare(p.order, order) === 0)) return null;
  const pending: PendingObservation[] = [...waiting, { order, observed, at }].sort((a, b) =>
    compare(a.order, b.order),
  );
  let record: NodeHistoryRecord = current;
  while (pending.length > 0) {
    const head = pending[0]!;
    const newest = Math.max(...pending.map((p) => Date.parse(p.at)));
    const lost = pending.length > MAX_PENDING || newest - Date.parse(record.observedAt) > GAP_SECONDS * 1000;
    if (!follows(record.order, head.order) && !lost) break;
    pending.shift();
    record = { ...applyObservation(record, head.observed, head.at), order: head.order };
  }
  const { pending: _old, ...rest } = record;
  return pending.length > 0 ? { ...rest, pending } : rest;
}

/**
 * The history as `GET /v1/nodes/{cluster}/{node}/history` answers it at `now`: observations that waited
 * {@link READ_GAP_SECONDS} or more are applied in order (nothing is written; the next observation's write
 * settles them for good).
 */
export function nodeHistoryAnswerAt(record: NodeHistoryRecord, now: Date): NodeHistory {
  let settled = record;
  const due = (record.pending ?? []).filter(
    (p) => now.getTime() - Date.parse(p.at) >= READ_GAP_SECONDS * 1000,
  );
  for (const p of due) settled = { ...applyObservation(settled, p.observed, p.at), order: p.order };
  return nodeHistoryAnswer(settled);
}
