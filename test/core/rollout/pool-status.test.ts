import { describe, expect, it } from 'vitest';
import { calculatePoolStatus, isPoolUpdated } from '../../../functions/core/rollout/index.ts';
import { node } from './nodes.ts';

const now = '2026-01-01T00:00:00.000Z';
const cond = (s: ReturnType<typeof calculatePoolStatus>, type: string) =>
  s.conditions.find((c) => c.type === type)!;

describe('pool status as MCO counts it (mco.md §2.5)', () => {
  it('status_test: three nodes on v0 with target v1', () => {
    const nodes = ['a', 'b', 'c'].map((n) => node(n, { current: 'v0', desired: 'v0', state: 'Done' }));
    const s = calculatePoolStatus({ nodes, target: { config: 'v1', image: null }, paused: false, now });
    expect(s).toMatchObject({
      machineCount: 3,
      updatedMachineCount: 0,
      readyMachineCount: 0,
      unavailableMachineCount: 0,
      degradedMachineCount: 0,
    });
    expect(cond(s, 'Updated').status).toBe('False');
    expect(cond(s, 'Updating')).toMatchObject({
      status: 'True',
      message: 'All nodes are updating to MachineConfig v1',
    });
    expect(cond(s, 'Degraded').status).toBe('False');
  });

  it('one node v0→v1 is unavailable; paused, Updating is False', () => {
    const nodes = [
      node('a', { current: 'v0', desired: 'v1', state: 'Working' }),
      node('b', { current: 'v0', desired: 'v0', state: 'Done' }),
    ];
    const s = calculatePoolStatus({ nodes, target: { config: 'v1', image: null }, paused: true, now });
    expect(s.unavailableMachineCount).toBe(1);
    expect(cond(s, 'Updating')).toMatchObject({
      status: 'False',
      message: 'Pool is paused; will not update to MachineConfig v1',
    });
  });

  it('mixed states: updated, ready, unavailable, degraded and the NodeDegraded message', () => {
    // Prepare: the TestGetMachinesByState mix with pool at v0, plus one updated but NotReady node.
    const nodes = [
      node('degraded', { current: 'v0', desired: 'v0', state: 'Degraded', reason: 'disk full' }),
      node('done', { current: 'v0', desired: 'v0', state: 'Done' }),
      node('unreconcilable', { current: 'v0', desired: 'v0', state: 'Unreconcilable', reason: 'fips' }),
      node('working', { current: 'v0', desired: 'v1', state: 'Working' }),
      node('rebooting', { current: 'v0', desired: 'v1', state: 'Rebooting' }),
      node('notready', { current: 'v0', desired: 'v0', state: 'Done', ready: false }),
    ];
    // Act
    const s = calculatePoolStatus({ nodes, target: { config: 'v0', image: null }, paused: false, now });
    // Assess
    expect(s).toMatchObject({
      machineCount: 6,
      updatedMachineCount: 2,
      readyMachineCount: 1,
      unavailableMachineCount: 5,
      degradedMachineCount: 2,
    });
    expect(cond(s, 'NodeDegraded')).toMatchObject({
      status: 'True',
      reason: '2 nodes are reporting degraded status on sync',
      message: 'Node degraded is reporting: "disk full", Node unreconcilable is reporting: "fips"',
    });
    expect(cond(s, 'Degraded').status).toBe('True');
    expect(isPoolUpdated(s)).toBe(false);
  });

  it('all updated: Updated True with the MCO message, transition time kept while unchanged', () => {
    const nodes = [node('a', { current: 'v1', desired: 'v1', state: 'Done' })];
    const first = calculatePoolStatus({ nodes, target: { config: 'v1', image: null }, paused: false, now });
    const later = calculatePoolStatus({
      nodes,
      target: { config: 'v1', image: null },
      paused: false,
      now: '2026-01-02T00:00:00.000Z',
      previous: first,
    });
    expect(cond(later, 'Updated')).toMatchObject({
      status: 'True',
      message: 'All nodes are updated with MachineConfig v1',
      lastTransitionTime: now,
    });
    expect(isPoolUpdated(later)).toBe(true);
  });

  it('zero nodes is updated', () => {
    const s = calculatePoolStatus({ nodes: [], target: { config: 'v1', image: null }, paused: false, now });
    expect(isPoolUpdated(s)).toBe(true);
    expect(s.machineCount).toBe(0);
  });
});
