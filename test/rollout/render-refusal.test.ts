import { CustomObjectsApi } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { listEvents } from '../../functions/adapters/store/events.ts';
import { digestOf, type Harness, startHarness } from './harness.ts';
import { fleetScenario } from './scenarios.ts';

describe('a target MCO would refuse', { timeout: 120_000 }, () => {
  let h: Harness | undefined;
  afterEach(async () => h?.stop());

  it('halts the rollout before any node of the pool is touched', async () => {
    // Prepare: the cluster's pool gains a MachineConfig that changes disks (unreconcilable on a running node).
    h = await startHarness({ scenario: fleetScenario({ clusters: [{ name: 'a', nodes: 2 }] }) });
    const custom = h.fleet.cluster('a').kubeConfig().makeApiClient(CustomObjectsApi);
    await custom.createClusterCustomObject({
      group: 'machineconfiguration.openshift.io',
      version: 'v1',
      plural: 'machineconfigs',
      body: {
        apiVersion: 'machineconfiguration.openshift.io/v1',
        kind: 'MachineConfig',
        metadata: { name: '50-worker-disks', labels: { 'machineconfiguration.openshift.io/role': 'worker' } },
        spec: {
          config: {
            ignition: { version: '3.4.0' },
            storage: { disks: [{ device: '/dev/sdb', wipeTable: true }] },
          },
        },
      },
    });
    // Act
    const id = await h.startRollout({
      track: 'prod',
      digest: digestOf('v2'),
      strategy: {
        waves: [],
        maxConcurrentClusters: 1,
        soakSeconds: 0,
        poolFailureBudget: 0,
        fleetFailureBudget: 0,
        onFailure: 'halt',
      },
    });
    const halted = await h.waitForStatus(id, ['Halted', 'Completed']);
    // Assess
    expect(halted.status).toBe('Halted');
    const reason = (halted as { progress?: { failureReason?: string } }).progress?.failureReason ?? '';
    expect(reason).toMatch(/render refused: a\/worker: .*disks/);
    expect(h.fleet.timeline.events.filter((e) => e.kind === 'cordon' || e.kind === 'desired')).toEqual([]);
    expect((await h.pool('a', 'worker')).target).toBeNull();
    expect((await listEvents(h.store, id)).some((e) => /Halted: render refused/.test(e.message))).toBe(true);
  });

  it('halts before any node is touched when go-yaml v2 could not read the spec back (MCO cannot name it)', async () => {
    // Prepare: a kernel argument holding U+009B, a C1 control encoding/json writes raw and go-yaml refuses.
    h = await startHarness({ scenario: fleetScenario({ clusters: [{ name: 'a', nodes: 2 }] }) });
    const custom = h.fleet.cluster('a').kubeConfig().makeApiClient(CustomObjectsApi);
    await custom.createClusterCustomObject({
      group: 'machineconfiguration.openshift.io',
      version: 'v1',
      plural: 'machineconfigs',
      body: {
        apiVersion: 'machineconfiguration.openshift.io/v1',
        kind: 'MachineConfig',
        metadata: {
          name: '50-worker-console',
          labels: { 'machineconfiguration.openshift.io/role': 'worker' },
        },
        spec: { kernelArguments: ['console=ttyS0\u009b'] },
      },
    });
    // Act
    const id = await h.startRollout({
      track: 'prod',
      digest: digestOf('v2'),
      strategy: {
        waves: [],
        maxConcurrentClusters: 1,
        soakSeconds: 0,
        poolFailureBudget: 0,
        fleetFailureBudget: 0,
        onFailure: 'halt',
      },
    });
    const halted = await h.waitForStatus(id, ['Halted', 'Completed']);
    // Assess
    expect(halted.status).toBe('Halted');
    const reason = (halted as { progress?: { failureReason?: string } }).progress?.failureReason ?? '';
    expect(reason).toContain('MachineConfig "50-worker-console": spec.kernelArguments[0]: U+009B');
    expect(reason).toContain('yaml: control characters are not allowed');
    expect(h.fleet.timeline.events.filter((e) => e.kind === 'cordon' || e.kind === 'desired')).toEqual([]);
    expect((await h.pool('a', 'worker')).target).toBeNull();
  });
});
