import { describe, expect, it } from 'vitest';
import {
  isNodeDone,
  isNodeMCDFailing,
  isNodeReady,
  isUnavailableForUpdate,
  machinesByState,
} from '../../../functions/core/rollout/index.ts';
import { node } from './nodes.ts';

const v0 = { config: 'v0', image: null };

describe('MCO node predicates (mco.md §2.4)', () => {
  it('GetMachinesByState: a node with no annotations is only unavailable', () => {
    const bare = node('bare');
    const lists = machinesByState([bare], v0);
    expect(lists.updated).toEqual([]);
    expect(lists.ready).toEqual([]);
    expect(lists.degraded).toEqual([]);
    expect(lists.unavailable.map((n) => n.name)).toEqual(['bare']);
  });

  it('GetMachinesByState: the mixed-states case of TestGetMachinesByState', () => {
    // Prepare
    const nodes = [
      node('degraded', { current: 'v0', desired: 'v0', state: 'Degraded' }),
      node('done', { current: 'v0', desired: 'v0', state: 'Done' }),
      node('unreconcilable', { current: 'v0', desired: 'v0', state: 'Unreconcilable' }),
      node('working', { current: 'v0', desired: 'v1', state: 'Working' }),
      node('rebooting', { current: 'v0', desired: 'v1', state: 'Rebooting' }),
    ];
    // Act
    const lists = machinesByState(nodes, v0);
    const names = (l: { name: string }[]) => l.map((n) => n.name);
    // Assess
    expect(names(lists.updated)).toEqual(['done']);
    expect(names(lists.ready)).toEqual(['done']);
    expect(names(lists.unavailable)).toEqual(['degraded', 'unreconcilable', 'working', 'rebooting']);
    expect(names(lists.degraded)).toEqual(['degraded', 'unreconcilable']);
  });

  it('IsNodeReady: no conditions is ready; cordoned, pressure or network trouble is not', () => {
    const base = node('n');
    expect(isNodeReady({ ...base, conditions: [] })).toBe(true);
    expect(isNodeReady({ ...base, unschedulable: true })).toBe(false);
    expect(isNodeReady({ ...base, conditions: [{ type: 'DiskPressure', status: 'True' }] })).toBe(false);
    expect(isNodeReady({ ...base, conditions: [{ type: 'NetworkUnavailable', status: 'True' }] })).toBe(
      false,
    );
    expect(isNodeReady({ ...base, conditions: [{ type: 'Ready', status: 'Unknown' }] })).toBe(false);
  });

  it('IsNodeDone: images must both be set and equal once either exists', () => {
    expect(isNodeDone(node('a', { current: 'v1', desired: 'v1', state: 'Done' }))).toBe(true);
    expect(isNodeDone(node('b', { current: 'v1', desired: 'v1', state: 'Done', desiredImage: 'i@1' }))).toBe(
      false,
    );
    expect(
      isNodeDone(
        node('c', { current: 'v1', desired: 'v1', state: 'Done', desiredImage: 'i@1', currentImage: 'i@2' }),
      ),
    ).toBe(false);
    expect(
      isNodeDone(
        node('d', { current: 'v1', desired: 'v1', state: 'Done', desiredImage: 'i@1', currentImage: 'i@1' }),
      ),
    ).toBe(true);
    expect(isNodeDone(node('e', { current: 'v1', desired: 'v1', state: 'Working' }))).toBe(false);
  });

  it('a node degraded on its current config is unavailable; degraded mid-transition is failing, not unavailable', () => {
    const onCurrent = node('a', { current: 'v1', desired: 'v1', state: 'Degraded' });
    const midway = node('b', { current: 'v0', desired: 'v1', state: 'Degraded' });
    expect(isNodeMCDFailing(onCurrent)).toBe(false);
    expect(isUnavailableForUpdate(onCurrent)).toBe(true);
    expect(isNodeMCDFailing(midway)).toBe(true);
    expect(isUnavailableForUpdate(midway)).toBe(false);
  });

  it('TestGetUnavailableMachines: desiredImage set, state Done, image mismatch is unavailable', () => {
    const n = node('x', {
      current: 'v1',
      desired: 'v1',
      state: 'Done',
      desiredImage: 'i@2',
      currentImage: 'i@1',
    });
    expect(isUnavailableForUpdate(n)).toBe(true);
  });
});
