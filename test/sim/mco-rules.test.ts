import { describe, expect, it } from 'vitest';
import { NodeAnnotations as A, ZoneLabel } from '../../functions/core/model.ts';
import type { NodeRecord } from '../../sim/cluster.ts';
import {
  calculatePoolStatus,
  candidateMachines,
  maxUnavailableOf,
  sortNodeList,
} from '../../sim/mco/index.ts';

/** A node record with MCO annotations, as the node controller sees it. */
function node(
  name: string,
  annotations: {
    current?: string;
    desired?: string;
    state?: string;
    desiredImage?: string;
    currentImage?: string;
  },
  extra: Partial<NodeRecord> = {},
): NodeRecord {
  return {
    name,
    namespace: undefined,
    uid: name,
    rv: 1,
    labels: {},
    created: '2026-01-01T00:00:00Z',
    annotations: {
      ...(annotations.current !== undefined ? { [A.currentConfig]: annotations.current } : {}),
      ...(annotations.desired !== undefined ? { [A.desiredConfig]: annotations.desired } : {}),
      ...(annotations.state !== undefined ? { [A.state]: annotations.state } : {}),
      ...(annotations.desiredImage !== undefined ? { [A.desiredImage]: annotations.desiredImage } : {}),
      ...(annotations.currentImage !== undefined ? { [A.currentImage]: annotations.currentImage } : {}),
    },
    unschedulable: false,
    taints: undefined,
    ready: true,
    readyChanged: '2026-01-01T00:00:00Z',
    ip: '10.0.0.1',
    pool: 'worker',
    bootedImage: '',
    ...extra,
  };
}

describe("MCO's node-controller rules", () => {
  it('scales maxUnavailable as TestMaxUnavailable (4 nodes)', () => {
    expect(maxUnavailableOf(undefined, 4)).toBe(1);
    expect(maxUnavailableOf(2, 4)).toBe(2);
    expect(maxUnavailableOf(0, 4)).toBe(1);
    expect(maxUnavailableOf('50%', 4)).toBe(2);
    expect(maxUnavailableOf('60%', 4)).toBe(2);
    expect(() => maxUnavailableOf('50 percent', 4)).toThrow();
    expect(() => maxUnavailableOf('60', 4)).toThrow();
    expect(() => maxUnavailableOf('40 %', 4)).toThrow();
    expect(maxUnavailableOf('10%', 4)).toBe(1); // floor(0.4) = 0, and 0 becomes 1
  });

  it('orders candidates as TestSortNodeList: zones first by name then age, then the unzoned by age', () => {
    const at = (s: number) => new Date(Date.parse('2026-01-01T00:00:00Z') + s * 1000).toISOString();
    const nodes = [
      node('nozone-900', {}, { created: at(900) }),
      node('ZZZ-100', {}, { created: at(100), labels: { [ZoneLabel]: 'ZZZ' } }),
      node('RRR-100', {}, { created: at(100), labels: { [ZoneLabel]: 'RRR' } }),
      node('nozone-0', {}, { created: at(0) }),
      node('ZZZ-1500', {}, { created: at(1500), labels: { [ZoneLabel]: 'ZZZ' } }),
      node('QQQ-0', {}, { created: at(0), labels: { [ZoneLabel]: 'QQQ' } }),
      node('ZZZ-0', {}, { created: at(0), labels: { [ZoneLabel]: 'ZZZ' } }),
      node('nozone-200', {}, { created: at(200) }),
      node('RRR-0', {}, { created: at(0), labels: { [ZoneLabel]: 'RRR' } }),
    ];
    expect(sortNodeList(nodes).map((n) => n.name)).toEqual([
      'QQQ-0',
      'RRR-0',
      'RRR-100',
      'ZZZ-0',
      'ZZZ-100',
      'ZZZ-1500',
      'nozone-0',
      'nozone-200',
      'nozone-900',
    ]);
  });

  it('takes candidates off the target and ready; unavailable and failing nodes hold capacity', () => {
    const nodes = [
      node('done-old', { current: 'v0', desired: 'v0', state: 'Done' }),
      node('done-old-2', { current: 'v0', desired: 'v0', state: 'Done' }),
      node('working', { current: 'v0', desired: 'v1', state: 'Working' }),
      node('not-ready', { current: 'v0', desired: 'v0', state: 'Done' }, { ready: false }),
      node('image-only', { current: 'v1', desired: 'v1', state: 'Done', desiredImage: 'x@sha256:1' }),
    ];
    // Unavailable: working (mid-update), not-ready, and image-only (a desiredImage its disk does not
    // have: not done, not failing) → capacity 5 - 3 = 2. image-only is still a candidate (rollback of
    // layering); not-ready is not (only ready nodes are).
    const { candidates, capacity } = candidateMachines(nodes, 'v1', 5);
    expect(candidates.map((n) => n.name)).toEqual(['done-old', 'done-old-2', 'image-only']);
    expect(capacity).toBe(2);
    expect(candidateMachines(nodes, 'v1', 3)).toEqual({ candidates: [], capacity: 0 });
    // A node failing on its way to the target (Degraded, current ≠ desired) is not unavailable but holds a slot.
    const failing = [...nodes, node('failing', { current: 'v0', desired: 'v1', state: 'Degraded' })];
    expect(candidateMachines(failing, 'v1', 5).capacity).toBe(1);
    expect(candidateMachines(failing, 'v1', 4)).toEqual({ candidates: [], capacity: 0 });
  });

  it('computes pool status as status_test.go: counts, Updated/Updating, paused, NodeDegraded', () => {
    const pool = (paused = false) => ({
      metadata: { name: 'worker', generation: 3 },
      spec: { configuration: { name: 'v1' }, paused },
      status: { configuration: { name: 'v0' } },
    });
    const three = [0, 1, 2].map((i) => node(`n${i}`, { current: 'v0', desired: 'v0', state: 'Done' }));
    const s = calculatePoolStatus(pool(), three, '2026-01-01T00:00:00Z');
    expect(s).toMatchObject({
      observedGeneration: 3,
      machineCount: 3,
      updatedMachineCount: 0,
      readyMachineCount: 0,
      unavailableMachineCount: 0,
      degradedMachineCount: 0,
      configuration: { name: 'v0' },
    });
    const cond = (st: Record<string, unknown>, type: string) =>
      (st.conditions as { type: string; status: string; message: string }[]).find((c) => c.type === type);
    expect(cond(s, 'Updated')?.status).toBe('False');
    expect(cond(s, 'Updating')).toMatchObject({
      status: 'True',
      message: 'All nodes are updating to MachineConfig v1',
    });
    expect(cond(s, 'Degraded')?.status).toBe('False');
    const paused = calculatePoolStatus(pool(true), three, '2026-01-01T00:00:00Z');
    expect(cond(paused, 'Updating')).toMatchObject({
      status: 'False',
      message: 'Pool is paused; will not update to MachineConfig v1',
    });

    const moving = [...three.slice(1), node('n0', { current: 'v0', desired: 'v1', state: 'Working' })];
    expect(calculatePoolStatus(pool(), moving, 'x').unavailableMachineCount).toBe(1);

    const done = [0, 1, 2].map((i) => node(`n${i}`, { current: 'v1', desired: 'v1', state: 'Done' }));
    const all = calculatePoolStatus(pool(), done, 'x');
    expect(all.configuration).toEqual({ name: 'v1' });
    expect(cond(all, 'Updated')).toMatchObject({
      status: 'True',
      message: 'All nodes are updated with MachineConfig v1',
    });

    const degraded = [
      ...done.slice(1),
      {
        ...node('n0', { current: 'v1', desired: 'v2', state: 'Degraded' }),
        annotations: {
          [A.currentConfig]: 'v1',
          [A.desiredConfig]: 'v2',
          [A.state]: 'Degraded',
          [A.reason]: 'boom',
        },
      },
    ];
    const d = calculatePoolStatus(pool(), degraded, 'x');
    expect(cond(d, 'NodeDegraded')).toMatchObject({
      status: 'True',
      message: 'Node n0 is reporting: "boom"',
    });
    expect(d.degradedMachineCount).toBe(1);
    expect(cond(d, 'Degraded')?.status).toBe('True');
  });
});
