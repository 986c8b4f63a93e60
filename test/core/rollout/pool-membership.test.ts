import { describe, expect, it } from 'vitest';
import { type PoolSelector, primaryPool } from '../../../functions/core/rollout/index.ts';

const pools: PoolSelector[] = [
  { name: 'master', nodeSelector: { 'node-role.kubernetes.io/master': '' } },
  { name: 'worker', nodeSelector: { 'node-role.kubernetes.io/worker': '' } },
  { name: 'infra', nodeSelector: { 'node-role.kubernetes.io/infra': '' } },
  { name: 'gpu', nodeSelector: { 'node-role.kubernetes.io/gpu': '' } },
  { name: 'empty', nodeSelector: {} },
];
const role = (...roles: string[]) =>
  Object.fromEntries(roles.map((r) => [`node-role.kubernetes.io/${r}`, '']));

describe('pool membership (GetPoolsForNode, mco.md §2.1)', () => {
  it.each([
    [role('worker'), 'worker'],
    [role('worker', 'infra'), 'infra'],
    [role('master', 'infra'), 'master'],
    [role('master', 'worker'), 'master'],
    [role('worker', 'infra', 'gpu'), null],
    [{ ...role('worker'), 'kubernetes.io/os': 'windows' }, null],
    [{}, null],
  ])('%j → %s', (labels, expected) => {
    expect(primaryPool(labels, pools)).toBe(expected);
  });
});
