/** Label selectors, a pool's MachineConfigs, and a node's pool (reference/mco.md §1.1, §2.1). */
import { describe, expect, it } from 'vitest';
import {
  type MachineConfigPool,
  matchesSelector,
  PoolResolutionError,
  poolForNode,
  RenderError,
  renderPool,
  selectMachineConfigs,
} from '../../../functions/core/render/index.ts';
import { mc, pool, role } from './factories.ts';

const mcs = [
  mc('b-worker', {}),
  mc('a-worker', {}),
  mc('infra', {}, { [role]: 'infra' }),
  mc('master', {}, { [role]: 'master' }),
];

describe('selectMachineConfigs', () => {
  it('selects by matchLabels, sorted by name', () => {
    expect(selectMachineConfigs(pool('worker'), mcs).map((m) => m.metadata.name)).toEqual([
      'a-worker',
      'b-worker',
    ]);
  });

  it('selects a custom pool by role In [worker, <pool>]', () => {
    expect(selectMachineConfigs(pool('infra', ['worker', 'infra']), mcs).map((m) => m.metadata.name)).toEqual(
      ['a-worker', 'b-worker', 'infra'],
    );
  });

  it.each([
    [
      { matchExpressions: [{ key: role, operator: 'NotIn' as const, values: ['worker'] }] },
      ['infra', 'master'],
    ],
    [
      { matchExpressions: [{ key: role, operator: 'Exists' as const }] },
      ['a-worker', 'b-worker', 'infra', 'master'],
    ],
    [{ matchExpressions: [{ key: role, operator: 'DoesNotExist' as const }] }, []],
    [{ matchLabels: {} }, ['a-worker', 'b-worker', 'infra', 'master']],
  ])('selects with %j', (selector, names) => {
    const p: MachineConfigPool = { ...pool('x'), spec: { machineConfigSelector: selector } };
    expect(selectMachineConfigs(p, mcs).map((m) => m.metadata.name)).toEqual(names);
  });

  it('selects nothing without a selector', () => {
    const p: MachineConfigPool = { ...pool('x'), spec: {} };
    expect(selectMachineConfigs(p, mcs)).toEqual([]);
    expect(() => renderPool({ pool: p, machineConfigs: mcs })).toThrow(
      /no MachineConfigs found matching selector \(none\)/,
    );
  });

  it('refuses an empty selector like MCO (SelectingAll)', () => {
    const p: MachineConfigPool = { ...pool('x'), spec: { machineConfigSelector: {} } };
    expect(() => selectMachineConfigs(p, mcs)).toThrow(
      /spec\.machineConfigSelector: the selector is empty .*SelectingAll/,
    );
  });

  it('refuses malformed requirements', () => {
    const bad = (req: object): MachineConfigPool => ({
      ...pool('x'),
      spec: { machineConfigSelector: { matchExpressions: [req as never] } },
    });
    expect(() => selectMachineConfigs(bad({ key: role, operator: 'In', values: [] }), mcs)).toThrow(
      RenderError,
    );
    expect(() => selectMachineConfigs(bad({ key: role, operator: 'Exists', values: ['a'] }), mcs)).toThrow(
      /values must be empty/,
    );
    expect(() => selectMachineConfigs(bad({ key: role, operator: 'Near', values: ['a'] }), mcs)).toThrow(
      /not a valid label selector operator/,
    );
  });

  it('matches NotIn when the key is absent', () => {
    expect(matchesSelector({ matchExpressions: [{ key: 'k', operator: 'NotIn', values: ['v'] }] }, {})).toBe(
      true,
    );
  });
});

describe('poolForNode', () => {
  const nodePool = (name: string, labels: Record<string, string> | null): MachineConfigPool => ({
    ...pool(name),
    spec: { nodeSelector: labels === null ? null : { matchLabels: labels } },
  });
  const master = nodePool('master', { 'node-role.kubernetes.io/master': '' });
  const worker = nodePool('worker', { 'node-role.kubernetes.io/worker': '' });
  const infra = nodePool('infra', { 'node-role.kubernetes.io/infra': '' });
  const gpu = nodePool('gpu', { 'node-role.kubernetes.io/gpu': '' });
  const node = (...roles: string[]) => ({
    metadata: {
      name: 'n1',
      labels: Object.fromEntries(roles.map((r) => [`node-role.kubernetes.io/${r}`, ''])),
    },
  });

  it('gives a custom pool as primary and worker as secondary', () => {
    const result = poolForNode(node('worker', 'infra'), [master, worker, infra]);
    expect(result?.primary.metadata.name).toBe('infra');
    expect(result?.secondary?.metadata.name).toBe('worker');
  });

  it('keeps master primary when a custom pool also matches', () => {
    const result = poolForNode(node('master', 'infra'), [master, worker, infra]);
    expect(result?.primary.metadata.name).toBe('master');
    expect(result?.ignoredCustomPool?.metadata.name).toBe('infra');
  });

  it('refuses a node in two custom pools', () => {
    expect(() => poolForNode(node('worker', 'infra', 'gpu'), [worker, infra, gpu])).toThrow(
      PoolResolutionError,
    );
  });

  it('falls back to master, then worker; ignores Windows nodes and empty selectors', () => {
    expect(poolForNode(node('master', 'worker'), [master, worker])?.primary.metadata.name).toBe('master');
    expect(poolForNode(node('worker'), [master, worker])?.primary.metadata.name).toBe('worker');
    const windows = {
      metadata: {
        name: 'w',
        labels: { 'kubernetes.io/os': 'windows', 'node-role.kubernetes.io/worker': '' },
      },
    };
    expect(poolForNode(windows, [worker])).toBeNull();
    expect(poolForNode(node('worker'), [nodePool('worker', {}), nodePool('other', null)])).toBeNull();
  });
});
