/**
 * MachineConfigNodes on the simulator (mco driver): on a 4.20 cluster the pool's reconcile reads each node's
 * MCN, the no-progress blocker names the node's MCN phase and `strata describe pool` shows it per node; on
 * a 4.18 cluster (no MachineConfigNode) the same rollout runs on the node annotations alone.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { formatPoolDescription } from '../../bin/views/describe.ts';
import { createKubernetesCluster } from '../../functions/adapters/cluster/kubernetes.ts';
import { getCluster } from '../../functions/adapters/store/clusters.ts';
import { nodeView } from '../../functions/core/admin/listing.ts';
import type { RolloutStrategy } from '../../functions/core/model.ts';
import { digestOf, type Harness, startHarness } from './harness.ts';
import { mcoFleetScenario } from './scenarios.ts';

const strategy: RolloutStrategy = {
  waves: [],
  maxConcurrentClusters: 2,
  maxUnavailable: 2,
  soakSeconds: 0,
  poolFailureBudget: 0,
  fleetFailureBudget: 0,
  onFailure: 'halt',
  progressDeadlineSeconds: 20,
};

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

/** `strata describe pool` of a pool, with its nodes read live. */
async function describePool(clusterId: string): Promise<string> {
  const record = (await getCluster(h!.store, clusterId))!;
  const live = await createKubernetesCluster(h!.fleet.cluster(clusterId).kubeConfig(), clusterId).listNodes();
  return formatPoolDescription(
    {
      pool: await h!.pool(clusterId, 'worker'),
      nodes: live.map((n) => nodeView(clusterId, n, record.pools)),
      nodesError: null,
      rollout: null,
    },
    h!.now(),
  );
}

describe('MachineConfigNode (mco driver)', { timeout: 180_000 }, () => {
  it('4.20: per-node MCN phase in the blocker and describe pool; 4.18 runs without MCN', async () => {
    // The OS rebase takes 10 simulated minutes: far past the 20 s progress deadline, while nodes are mid-update.
    h = await startHarness({
      scenario: mcoFleetScenario({
        clusters: [
          { name: 'a', nodes: 2, release: '4.20.3' },
          { name: 'b', nodes: 2, release: '4.18.12' },
        ],
        timing: { rebase: '10m' },
      }),
    });
    const id = await h.startRollout({ track: 'prod', digest: digestOf('v2'), strategy });
    const blocked = async (c: string) => (await h!.pool(c, 'worker')).mco?.blocked;
    await h.waitUntil(async () => /: UpdateExecuted/.test((await blocked('a')) ?? ''), 'a: an MCN blocker');
    await h.waitUntil(async () => /in state Working/.test((await blocked('b')) ?? ''), 'b: a blocker');

    // 4.20: the blocker and the pool item speak in MCN phases.
    const a = await h.pool('a', 'worker');
    expect(a.mco?.blocked).toMatch(
      /^waiting on MCO: [12] of 2 node\(s\) not updated to rendered-worker-[0-9a-f]+ for over 20s .*; node worker-\d: UpdateExecuted since \d{4}-/,
    );
    // Only the nodes MCO works on are kept on the pool item (Updated and Pending ones are left out).
    const phases = a.mco?.machineConfigNodes ?? {};
    expect(Object.keys(phases).length).toBeGreaterThan(0);
    expect(Object.values(phases).every((p) => p.phase !== 'Updated' && p.phase !== 'Pending')).toBe(true);
    expect(Object.values(phases).some((p) => p.phase === 'UpdateExecuted')).toBe(true);
    const text = await describePool('a');
    expect(text).toMatch(/\n {2}NAME +STATUS +STATE +MCN PHASE +CONFIG +REASON\n/);
    expect(text).toMatch(/\n {2}worker-\d +\S+ +Working +UpdateExecuted +rendered-worker-/);

    // 4.18: no MachineConfigNode; the blocker comes from the node annotations, describe has no MCN column.
    const b = await h.pool('b', 'worker');
    expect(b.mco?.machineConfigNodes).toBeUndefined();
    expect(b.mco?.blocked).toMatch(/node worker-\d in state Working(, cordoned)? since/);
    expect(await describePool('b')).not.toContain('MCN PHASE');

    // Both complete; on 4.20 every node's MCN then says Updated, so the pool item keeps none.
    expect((await h.waitForStatus(id, ['Completed', 'Halted'], 150_000)).status).toBe('Completed');
    await h.waitUntil(async () => {
      const p = (await h!.pool('a', 'worker')).mco?.machineConfigNodes;
      return p !== undefined && Object.keys(p).length === 0;
    }, 'a: no MCN in progress');
    expect(h.fleet.checkInvariants().violations).toEqual([]);
  });
});
