import { afterEach, describe, expect, it } from 'vitest';
import { listEvents } from '../../functions/adapters/store/events.ts';
import { NodeAnnotations, type RolloutStrategy } from '../../functions/core/model.ts';
import { digestOf, type Harness, startHarness } from './harness.ts';
import { fleetScenario } from './scenarios.ts';

const strategy: RolloutStrategy = {
  waves: [
    { name: 'canary', clusterSelector: { matchLabels: { canary: 'true' } } },
    { name: 'half', percent: 50 },
  ],
  maxConcurrentClusters: 2,
  soakSeconds: 10,
  poolFailureBudget: 0,
  fleetFailureBudget: 0,
  onFailure: 'halt',
};

describe('a multi-cluster rollout through waves (simulator + dynalite)', { timeout: 120_000 }, () => {
  let h: Harness | undefined;
  afterEach(async () => h?.stop());

  it('moves every node of every cluster to the new image, wave by wave, within maxUnavailable', async () => {
    // Prepare
    h = await startHarness({
      scenario: fleetScenario({
        clusters: [
          { name: 'canary', labels: { canary: 'true' }, nodes: 2 },
          { name: 'east', nodes: 4, maxUnavailable: 2 },
          { name: 'west', nodes: 3 },
          { name: 'north', nodes: 3 },
        ],
      }),
    });
    // Act
    const id = await h.startRollout({ track: 'prod', digest: digestOf('v2'), strategy });
    const done = await h.waitForStatus(id, ['Completed', 'Halted']);
    // Assess: every node runs the new image, is Done and schedulable.
    expect(done.status).toBe('Completed');
    for (const c of h.fleet.clusters) {
      for (const n of c.state.nodes.list()) {
        expect(n.annotations[NodeAnnotations.currentImage]).toBe(
          `quay.io/strata/rhcos-layered@${digestOf('v2')}`,
        );
        expect(n.annotations[NodeAnnotations.state]).toBe('Done');
      }
    }
    const report = h.fleet.checkInvariants();
    expect(report.violations).toEqual([]);
    // Waves in order: canary's nodes all finished before any other cluster's first cordon.
    const events = h.fleet.timeline.events;
    const lastCanaryDone = Math.max(
      ...events.filter((e) => e.cluster === 'canary' && e.kind === 'done').map((e) => e.t),
    );
    const firstOtherCordon = Math.min(
      ...events.filter((e) => e.cluster !== 'canary' && e.kind === 'cordon').map((e) => e.t),
    );
    expect(firstOtherCordon).toBeGreaterThan(lastCanaryDone);
    // Soak: at least 10 simulated seconds between the canary finishing and the next wave.
    expect(firstOtherCordon - lastCanaryDone).toBeGreaterThanOrEqual(10_000);
    const pool = await h.pool('east', 'worker');
    expect(pool.status).toMatchObject({
      machineCount: 4,
      updatedMachineCount: 4,
      unavailableMachineCount: 0,
    });
    expect((await listEvents(h.store, id)).map((e) => e.kind)).toContain('PoolsTargeted');
  });
});
