import { describe, expect, it } from 'vitest';
import { selectCandidates, sortNodeList } from '../../../functions/core/rollout/index.ts';
import { node } from './nodes.ts';

const v1 = { config: 'v1', image: null };
const at = (s: number) => new Date(Date.UTC(2026, 0, 1) + s * 1000).toISOString();

describe('candidate rules (mco.md §2.3)', () => {
  it('TestSortNodeList: zoned first by zone then age, unzoned by age', () => {
    const nodes = [
      node('nozone-900', { created: at(900) }),
      node('ZZZ-100', { zone: 'ZZZ', created: at(100) }),
      node('RRR-100', { zone: 'RRR', created: at(100) }),
      node('nozone-0', { created: at(0) }),
      node('ZZZ-1500', { zone: 'ZZZ', created: at(1500) }),
      node('QQQ-0', { zone: 'QQQ', created: at(0) }),
      node('ZZZ-0', { zone: 'ZZZ', created: at(0) }),
      node('nozone-200', { created: at(200) }),
      node('RRR-0', { zone: 'RRR', created: at(0) }),
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

  it('ties on zone and age are broken by name', () => {
    const nodes = [node('b', { zone: 'a' }), node('a', { zone: 'a' })];
    expect(sortNodeList(nodes).map((n) => n.name)).toEqual(['a', 'b']);
  });

  it('capacity = maxUnavailable − unavailable − failing, only ready candidates', () => {
    // Prepare: 1 working (unavailable), 1 failing mid-transition, 1 not ready, 3 ready on v0.
    const nodes = [
      node('working', { current: 'v0', desired: 'v1', state: 'Working' }),
      node('failing', { current: 'v0', desired: 'v1', state: 'Degraded' }),
      node('notready', { current: 'v0', desired: 'v0', state: 'Done', ready: false }),
      node('a', { current: 'v0', desired: 'v0', state: 'Done', created: at(3) }),
      node('b', { current: 'v0', desired: 'v0', state: 'Done', created: at(1) }),
      node('c', { current: 'v0', desired: 'v0', state: 'Done', created: at(2) }),
    ];
    // Act
    const pick = selectCandidates({
      nodes,
      target: v1,
      maxUnavailable: 4,
      slotted: new Set(),
      failedOnTarget: new Set(),
    });
    // Assess: unavailable = working + notready; failing 1; capacity 4-2-1 = 1; oldest ready candidate.
    expect(pick.unavailable).toEqual(['working', 'notready']);
    expect(pick.failing).toEqual(['failing']);
    expect(pick.capacity).toBe(1);
    expect(pick.start.map((n) => n.name)).toEqual(['b']);
  });

  it('recorded slots count as unavailable even before the node shows it', () => {
    const nodes = ['a', 'b', 'c'].map((n) => node(n, { current: 'v0', desired: 'v0', state: 'Done' }));
    const pick = selectCandidates({
      nodes,
      target: v1,
      maxUnavailable: 1,
      slotted: new Set(['a']),
      failedOnTarget: new Set(),
    });
    expect(pick.start).toEqual([]);
    expect(pick.capacity).toBe(0);
  });

  it('a node that failed on this target is never a candidate again', () => {
    const nodes = [node('a', { current: 'v0', desired: 'v0', state: 'Done' })];
    const pick = selectCandidates({
      nodes,
      target: v1,
      maxUnavailable: 1,
      slotted: new Set(),
      failedOnTarget: new Set(['a']),
    });
    expect(pick.start).toEqual([]);
    expect(pick.blocked).toEqual(['a']);
  });
});
