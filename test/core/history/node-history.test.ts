/**
 * A node's update history derived from successive observations of it, in MCO's vocabulary (Strata moving
 * the node, and MCO's own daemon draining it) and in the Strata agent's.
 */
import { describe, expect, it } from 'vitest';
import {
  AgentNodeAnnotations,
  MAX_ATTEMPTS,
  type NodeHistoryRecord,
  type ObservedNode,
  observedNode,
  observeNode,
} from '../../../functions/core/history/index.ts';
import { NodeAnnotations as M } from '../../../functions/core/model.ts';

const key = { clusterId: 'c1', node: 'worker-0' };
const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();

/** Feeds the observations in order (one a second) and returns the history. */
function replay(observations: ObservedNode[], start: NodeHistoryRecord | null = null): NodeHistoryRecord {
  let record = start;
  const base = start ? Date.parse(start.observedAt) / 1000 - Date.UTC(2026, 0, 1) / 1000 + 1 : 0;
  observations.forEach((o, i) => {
    record = observeNode(record, key, o, at(base + i)) ?? record;
  });
  return record!;
}

const mco = (a: Record<string, string>, unschedulable = false, ready = true): ObservedNode => ({
  unschedulable,
  ready,
  annotations: a,
});
const on = (config: string, state = 'Done') => ({
  [M.currentConfig]: config,
  [M.desiredConfig]: config,
  [M.state]: state,
});

describe('node history', () => {
  it('records an update Strata drives through MCO annotations: cordon, target, working, reboot, done, uncordon', () => {
    const history = replay([
      mco(on('rendered-a')),
      mco(on('rendered-a'), true),
      mco({ ...on('rendered-a'), [M.desiredConfig]: 'rendered-b' }, true),
      mco({ ...on('rendered-a', 'Working'), [M.desiredConfig]: 'rendered-b' }, true),
      mco({ ...on('rendered-a', 'Working'), [M.desiredConfig]: 'rendered-b' }, true, false),
      mco({ ...on('rendered-a', 'Working'), [M.desiredConfig]: 'rendered-b' }, true, true),
      mco(on('rendered-b'), true),
      mco(on('rendered-b')),
    ]);
    expect(history.attempts).toEqual([
      {
        target: { config: 'rendered-b', image: null },
        startedAt: at(1),
        steps: [
          { step: 'cordon', at: at(1) },
          { step: 'target', at: at(2) },
          { step: 'working', at: at(3) },
          { step: 'not-ready', at: at(4) },
          { step: 'ready', at: at(5) },
          { step: 'done', at: at(6) },
          { step: 'uncordon', at: at(7) },
        ],
        endedAt: at(7),
        result: 'updated',
        reason: null,
      },
    ]);
  });

  it("records MCO's own order (target first, the daemon's drain request) and a Degraded node's reason", () => {
    const told = { ...on('rendered-a'), [M.desiredConfig]: 'rendered-b' };
    const history = replay([
      mco(on('rendered-a')),
      mco(told),
      mco({ ...told, [M.state]: 'Working' }),
      mco({ ...told, [M.state]: 'Working', [M.desiredDrain]: 'drain-rendered-b' }, true),
      mco(
        {
          ...told,
          [M.state]: 'Working',
          [M.desiredDrain]: 'drain-rendered-b',
          [M.lastAppliedDrain]: 'drain-rendered-b',
        },
        true,
      ),
      mco({ ...told, [M.state]: 'Degraded', [M.reason]: 'rpm-ostree rebase failed' }, true),
    ]);
    expect(history.attempts).toHaveLength(1);
    expect(history.attempts[0]).toMatchObject({
      target: { config: 'rendered-b', image: null },
      startedAt: at(1),
      endedAt: at(5),
      result: 'failed',
      reason: 'rpm-ostree rebase failed',
    });
    expect(history.attempts[0]!.steps.map((s) => s.step)).toEqual([
      'target',
      'working',
      'cordon',
      'drain',
      'drained',
      'degraded',
    ]);
  });

  it("records the agent's vocabulary: staging, staged, rebooting, done at the desired image", () => {
    const A = AgentNodeAnnotations;
    const [img1, img2] = ['quay.io/a/os@sha256:1111', 'quay.io/a/os@sha256:2222'];
    const agent = (state: string, current: string, desired: string, unschedulable = false, ready = true) =>
      mco({ [A.state]: state, [A.currentImage]: current, [A.desiredImage]: desired }, unschedulable, ready);
    const history = replay([
      agent('Done', img1, img1),
      agent('Done', img1, img2),
      agent('Staging', img1, img2),
      agent('Staged', img1, img2),
      agent('Staged', img1, img2, true),
      agent('Rebooting', img1, img2, true),
      agent('Rebooting', img1, img2, true, false),
      agent('Done', img2, img2, true, true),
      agent('Done', img2, img2),
    ]);
    expect(history.attempts).toHaveLength(1);
    expect(history.attempts[0]!.target).toEqual({ config: null, image: img2 });
    expect(history.attempts[0]!.result).toBe('updated');
    expect(history.attempts[0]!.steps.map((s) => s.step)).toEqual([
      'target',
      'staging',
      'staged',
      'cordon',
      'rebooting',
      'not-ready',
      'ready',
      'done',
      'uncordon',
    ]);
  });

  it('closes an attempt told another target as superseded, and a cordon never told one as cancelled', () => {
    const history = replay([
      mco(on('rendered-a')),
      mco({ ...on('rendered-a'), [M.desiredConfig]: 'rendered-b' }, true),
      mco({ ...on('rendered-a'), [M.desiredConfig]: 'rendered-a' }, true),
      mco(on('rendered-a')),
      mco(on('rendered-a'), true),
      mco(on('rendered-a')),
    ]);
    expect(history.attempts.map((a) => [a.target?.config ?? null, a.result, a.reason])).toEqual([
      ['rendered-b', 'superseded', 'told rendered-a before this attempt ended'],
      ['rendered-a', 'updated', null],
      [null, 'cancelled', 'uncordoned before it was told a target'],
    ]);
  });

  it('ignores older and unchanged observations, and keeps the latest attempts only', () => {
    const first = observeNode(null, key, mco(on('rendered-a')), at(10))!;
    expect(first.attempts).toEqual([]);
    expect(observeNode(first, key, mco(on('rendered-a'), true), at(9))).toBeNull();
    expect(observeNode(first, key, mco(on('rendered-a')), at(11))).toBeNull();

    const flips = Array.from({ length: MAX_ATTEMPTS + 5 }, () => [
      mco(on('rendered-a'), true),
      mco(on('rendered-a')),
    ]).flat();
    const history = replay(flips, first);
    expect(history.attempts).toHaveLength(MAX_ATTEMPTS);
    expect(history.attempts.every((a) => a.result === 'cancelled')).toBe(true);
  });

  it("reads a Node object's facts, keeping only the annotations of both vocabularies", () => {
    const node = {
      metadata: { annotations: { [M.state]: 'Done', 'strata.io/state': 'Done', other: 'x' } },
      spec: { unschedulable: true },
      status: { conditions: [{ type: 'Ready', status: 'False' }] },
    };
    expect(observedNode(node)).toEqual({
      unschedulable: true,
      ready: false,
      annotations: { [M.state]: 'Done', 'strata.io/state': 'Done' },
    });
  });
});
