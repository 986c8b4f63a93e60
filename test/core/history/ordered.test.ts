/**
 * A node's observations applied in its relay's order whatever order the queue delivers them in: the same
 * history as in order, duplicates and stale ones ignored, a lost one skipped once waiting is pointless.
 */
import { describe, expect, it } from 'vitest';
import {
  GAP_SECONDS,
  MAX_PENDING,
  type NodeHistoryRecord,
  nodeHistoryAnswerAt,
  type ObservedNode,
  observeNodeInOrder,
  READ_GAP_SECONDS,
} from '../../../functions/core/history/index.ts';
import { NodeAnnotations as M } from '../../../functions/core/model.ts';

const key = { clusterId: 'c1', node: 'worker-0' };
const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();
const node = (config: string, state: string, desired = config, ready = true, cordoned = false) => ({
  unschedulable: cordoned,
  ready,
  annotations: { [M.currentConfig]: config, [M.desiredConfig]: desired, [M.state]: state },
});

/** One MCO update of the node, as its relay numbers it (run `r1`, n = 1…). */
const update: ObservedNode[] = [
  node('rendered-a', 'Done'),
  node('rendered-a', 'Done', 'rendered-b'),
  node('rendered-a', 'Working', 'rendered-b'),
  node('rendered-a', 'Working', 'rendered-b', true, true),
  node('rendered-a', 'Working', 'rendered-b', false, true),
  node('rendered-a', 'Working', 'rendered-b', true, true),
  node('rendered-b', 'Done', 'rendered-b', true, true),
  node('rendered-b', 'Done'),
];

/** Delivers observations `indices` (0-based into `update`, all at the same time as a busy relay can). */
function deliver(indices: number[], start: NodeHistoryRecord | null = null, time = (_i: number) => at(1)) {
  let record = start;
  for (const i of indices) {
    record = observeNodeInOrder(record, key, update[i]!, time(i), { run: 'r1', n: i + 1 }) ?? record;
  }
  return record!;
}

describe('node history in the relay’s order', () => {
  it('reordered deliveries (same timestamp) give the history of the ordered ones', () => {
    const ordered = deliver([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(ordered.attempts).toHaveLength(1);
    expect(ordered.attempts[0]!.result).toBe('updated');
    expect(ordered.attempts[0]!.steps.map((s) => s.step)).toEqual([
      'target',
      'working',
      'cordon',
      'not-ready',
      'ready',
      'done',
      'uncordon',
    ]);
    const shuffled = deliver([0, 2, 1, 5, 3, 7, 4, 6]);
    expect(shuffled).toEqual(ordered);
    expect(shuffled.pending).toBeUndefined();
  });

  it('holds later observations until their predecessor comes; duplicates and applied ones write nothing', () => {
    const first = deliver([0, 1]);
    const waiting = deliver([3, 4], first);
    expect(waiting.attempts.flatMap((a) => a.steps.map((s) => s.step))).toEqual(['target']);
    expect(waiting.pending?.map((p) => p.order.n)).toEqual([4, 5]);
    expect(observeNodeInOrder(waiting, key, update[3]!, at(1), { run: 'r1', n: 4 })).toBeNull();
    expect(observeNodeInOrder(waiting, key, update[1]!, at(1), { run: 'r1', n: 2 })).toBeNull();
    const filled = deliver([2], waiting);
    expect(filled.pending).toBeUndefined();
    expect(filled.order).toEqual({ run: 'r1', n: 5 });
  });

  it('skips a lost observation once a later one is GAP_SECONDS newer, or once MAX_PENDING wait', () => {
    const first = deliver([0, 1]);
    // n = 3 never arrives (its send failed); n = 4 comes GAP_SECONDS later.
    const late = deliver([3], first, () => at(2 + GAP_SECONDS));
    expect(late.pending).toBeUndefined();
    expect(late.order).toEqual({ run: 'r1', n: 4 });
    expect(late.attempts[0]!.steps.map((s) => s.step)).toEqual(['target', 'cordon', 'working']);

    let record: NodeHistoryRecord = first;
    for (let n = 4; n <= 4 + MAX_PENDING; n++) {
      record = observeNodeInOrder(record, key, update[n % 2 ? 3 : 4]!, at(2), { run: 'r1', n })!;
    }
    expect(record.pending).toBeUndefined();
    expect(record.order).toEqual({ run: 'r1', n: 4 + MAX_PENDING });
  });

  it('a later relay run follows the earlier one; an earlier run’s late observation is ignored', () => {
    const first = deliver([0, 1]);
    const restarted = observeNodeInOrder(first, key, update[2]!, at(3), { run: 'r2', n: 1 })!;
    expect(restarted.order).toEqual({ run: 'r2', n: 1 });
    expect(restarted.attempts[0]!.steps.map((s) => s.step)).toEqual(['target', 'working']);
    expect(observeNodeInOrder(restarted, key, update[3]!, at(4), { run: 'r1', n: 3 })).toBeNull();
  });

  it('a read shows observations that waited too long for a lost predecessor, without writing', () => {
    // Prepare: the update up to its last steps, then the reboot's not-ready (n=5) is lost and the node
    // settles; the observations after it wait.
    const record = deliver([0, 1, 2, 3, 5, 6, 7]);
    expect(record.pending?.map((p) => p.order.n)).toEqual([6, 7, 8]);
    expect(record.attempts[0]!.result).toBeNull();
    // Assess: read soon after, the attempt is still in progress; read later, it ended.
    expect(nodeHistoryAnswerAt(record, new Date(Date.parse(at(1)) + 1_000)).attempts[0]!.result).toBeNull();
    const later = new Date(Date.parse(at(1)) + READ_GAP_SECONDS * 1000);
    const answer = nodeHistoryAnswerAt(record, later);
    expect(answer.attempts[0]!.result).toBe('updated');
    expect(answer.attempts[0]!.steps.map((s) => s.step)).toContain('done');
    expect(record.pending).toHaveLength(3); // the record itself is unchanged
  });
});
