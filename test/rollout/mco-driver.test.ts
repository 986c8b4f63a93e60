/**
 * Rollouts on the mco driver against simulated OpenShift clusters running MCO's controllers: Strata writes
 * only the image-layer MachineConfig, maxUnavailable and an annotated pause; MCO renders, targets, drains
 * and reports. Every scenario ends with 0 invariant violations (desired-flip and pool-status included), no
 * node annotation or cordon written by Strata, and Strata's predicted rendered name equal to MCO's.
 */
import { CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { listEvents } from '../../functions/adapters/store/events.ts';
import { PauseAnnotations } from '../../functions/core/drivers/mco/index.ts';
import { NodeAnnotations, type RolloutStrategy } from '../../functions/core/model.ts';
import type { TimelineEvent } from '../../sim/index.ts';
import { digestOf, type Harness, startHarness } from './harness.ts';
import { mcoFleetScenario, RELEASES } from './scenarios.ts';

const strategy: RolloutStrategy = {
  waves: [],
  maxConcurrentClusters: 2,
  soakSeconds: 0,
  poolFailureBudget: 0,
  fleetFailureBudget: 0,
  onFailure: 'halt',
};
const image = (tag: string) => `quay.io/strata/rhcos-layered@${digestOf(tag)}`;
const LAYER = '99-strata-worker-os-image';
const events = (h: Harness, filter: (e: TimelineEvent) => boolean) => h.fleet.timeline.events.filter(filter);
const mcp = (h: Harness, cluster: string) => h.fleet.cluster(cluster).state.poolStatus('worker');
const poolAnnotations = (h: Harness, cluster: string): Record<string, string> =>
  (h.fleet.cluster(cluster).state.machineConfigPool('worker')?.metadata.annotations ?? {}) as Record<
    string,
    string
  >;
const poolSpec = (h: Harness, cluster: string) =>
  h.fleet.cluster(cluster).state.machineConfigPool('worker')?.spec;

/**
 * What every mco scenario must end with: 0 violations; only MCO wrote desiredConfig and cordoned; no node
 * carries desiredImage; every targeted pool's predicted config is MCO's name for it (no mismatch reported).
 */
async function assertMcoOutcome(h: Harness): Promise<void> {
  expect(h.fleet.checkInvariants().violations).toEqual([]);
  const desired = events(h, (e) => e.kind === 'desired');
  expect(desired.filter((e) => e.by !== 'machine-config-controller')).toEqual([]);
  for (const c of h.fleet.clusters) {
    for (const n of c.state.nodes.list()) expect(n.annotations[NodeAnnotations.desiredImage]).toBeUndefined();
    const rendered = c.state.machineConfigs.list().map((r) => r.name);
    for (const p of ['worker']) {
      const pool = await h.pool(c.name, p);
      expect(pool.mco?.mismatchReported).toBeUndefined();
      if (pool.target && pool.reached) {
        expect(c.state.poolTarget(p).config).toBe(pool.target.config);
        expect(pool.mco?.rendered).toBe(pool.target.config);
      }
      // Strata never created a rendered config that MCO did not target.
      for (const name of rendered.filter((r) => r.startsWith(`rendered-${p}-`))) {
        const byMco = events(h, (e) => e.kind === 'pool-target' && e.cluster === c.name && e.config === name);
        const bootstrap = c.state.machineConfigs.get(undefined, name)?.object.metadata.ownerReferences;
        expect(byMco.length > 0 || bootstrap !== undefined).toBe(true);
      }
    }
  }
}

describe('rollouts on the mco driver (simulated MCO)', { timeout: 180_000 }, () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  it('detects the driver, writes the image layer and lets MCO move every node; the pool ends as MCO reports it', async () => {
    h = await startHarness({
      scenario: mcoFleetScenario({ clusters: [{ name: 'a', nodes: 3, maxUnavailable: 2 }] }),
    });
    // The track's maxUnavailable (1) replaces the pool's (2) while Strata paces it; the original is kept.
    const id = await h.startRollout({
      track: 'prod',
      digest: digestOf('v2'),
      strategy: { ...strategy, maxUnavailable: 1 },
    });
    const end = await h.waitForStatus(id, ['Completed', 'Halted']);
    expect(end.status).toBe('Completed');
    const state = h.fleet.cluster('a').state;
    expect(state.poolTarget('worker').image).toBe(image('v2'));
    expect(state.machineConfigs.get(undefined, LAYER)?.object.spec).toEqual({ osImageURL: image('v2') });
    for (const n of state.nodes.list()) expect(state.bootedImage(n.name)).toBe(image('v2'));
    expect(mcp(h, 'a')).toMatchObject({
      updated: true,
      settled: true,
      paused: false,
      updatedMachineCount: 3,
    });
    expect(poolSpec(h, 'a')).toMatchObject({ maxUnavailable: 1 });
    expect(poolAnnotations(h, 'a')).toMatchObject({
      'strata.io/original-max-unavailable': '2',
    });
    expect(h.fleet.checkInvariants().pools.find((p) => p.cluster === 'a')?.peakUnavailable).toBe(1);
    const pool = await h.pool('a', 'worker');
    expect(pool.status).toMatchObject({
      configuration: state.poolTarget('worker').config,
      updatedMachineCount: 3,
    });
    expect(pool.mco?.originalMaxUnavailable).toBe(2);
    await assertMcoOutcome(h);
  });

  it('waves with soak: the canary cluster finishes and soaks before the next wave starts', async () => {
    h = await startHarness({
      scenario: mcoFleetScenario({
        clusters: [
          { name: 'canary', labels: { canary: 'true' }, nodes: 2 },
          { name: 'east', nodes: 3, maxUnavailable: 2 },
          { name: 'west', nodes: 2 },
        ],
      }),
    });
    const id = await h.startRollout({
      track: 'prod',
      digest: digestOf('v2'),
      strategy: {
        ...strategy,
        waves: [{ name: 'canary', clusterSelector: { matchLabels: { canary: 'true' } } }],
        soakSeconds: 10,
      },
    });
    expect((await h.waitForStatus(id, ['Completed', 'Halted'])).status).toBe('Completed');
    const lastCanaryDone = Math.max(
      ...events(h, (e) => e.cluster === 'canary' && e.kind === 'done').map((e) => e.t),
    );
    const firstOther = Math.min(
      ...events(h, (e) => e.cluster !== 'canary' && e.kind === 'desired').map((e) => e.t),
    );
    expect(firstOther - lastCanaryDone).toBeGreaterThanOrEqual(10_000);
    for (const c of h.fleet.clusters) expect(c.state.poolTarget('worker').image).toBe(image('v2'));
    expect((await listEvents(h.store, id)).map((e) => e.kind)).toContain('PoolsTargeted');
    await assertMcoOutcome(h);
  });

  it('pause pauses the pool (annotated as Strata’s; nodes in flight finish); resume unpauses and completes', async () => {
    h = await startHarness({ scenario: mcoFleetScenario({ clusters: [{ name: 'a', nodes: 4 }] }) });
    const id = await h.startRollout({ track: 'prod', digest: digestOf('v2'), strategy });
    await h.waitUntil(() => events(h!, (e) => e.kind === 'desired').length >= 1, 'MCO to start a node');
    await h.control(id, 'pause');
    await h.waitUntil(() => mcp(h!, 'a').paused, 'the pool to be paused');
    const pausedAt = h.fleet.clock.now();
    const annotations = poolAnnotations(h, 'a');
    expect(annotations[PauseAnnotations.pausedBy]).toBe('strata');
    expect(annotations[PauseAnnotations.reason]).toBe('paused');
    await new Promise((r) => setTimeout(r, 500));
    expect(events(h, (e) => e.kind === 'desired' && e.t > pausedAt)).toEqual([]);
    expect((await h.pool('a', 'worker')).holds).toEqual(['paused']);
    await h.control(id, 'resume');
    expect((await h.waitForStatus(id, ['Completed'])).status).toBe('Completed');
    expect(mcp(h, 'a').paused).toBe(false);
    const after = poolAnnotations(h, 'a');
    expect(after[PauseAnnotations.pausedBy]).toBeUndefined();
    await assertMcoOutcome(h);
  });

  it('a closed maintenance window keeps the pool paused until it opens', async () => {
    h = await startHarness({
      scenario: mcoFleetScenario({ clusters: [{ name: 'a', nodes: 2 }] }),
      epochMs: Date.parse('2026-03-01T00:00:00Z'),
      // Opens at 00:10 (simulated time 0 is midnight) for 30 minutes.
      windows: { a: [{ cron: '10 0 * * *', timeZone: 'UTC', durationMinutes: 30 }] },
    });
    const id = await h.startRollout({ track: 'prod', digest: digestOf('v2'), strategy });
    await h.waitUntil(async () => (await h!.pool('a', 'worker')).holds.includes('window-closed'), 'the hold');
    await h.waitUntil(() => mcp(h!, 'a').paused, 'the pool to be paused while the window is closed');
    expect(poolAnnotations(h, 'a')[PauseAnnotations.reason]).toBe('window-closed');
    await h.waitForStatus(id, ['Completed']);
    const firstDesired = Math.min(...events(h, (e) => e.kind === 'desired').map((e) => e.t));
    expect(firstDesired).toBeGreaterThanOrEqual(600_000);
    expect(mcp(h, 'a').paused).toBe(false);
    await assertMcoOutcome(h);
  });

  it('a node MCO reports Degraded exhausts the pool budget: the pool is paused and the rollout halts', async () => {
    h = await startHarness({
      scenario: mcoFleetScenario({
        clusters: [{ name: 'a', nodes: 3, maxUnavailable: 2 }],
        faults: { updateFailure: { clusters: ['a'], nodes: ['worker-0'] } },
      }),
    });
    const id = await h.startRollout({ track: 'prod', digest: digestOf('v2'), strategy });
    const halted = await h.waitForStatus(id, ['Halted', 'Completed']);
    expect(halted.status).toBe('Halted');
    expect(halted.progress?.failureReason).toMatch(
      /pool a\/worker: 1 degraded nodes exceed the pool failure budget 0/,
    );
    await h.waitUntil(() => mcp(h!, 'a').paused, 'the pool to be paused');
    const pool = await h.pool('a', 'worker');
    expect(Object.keys(pool.failed)).toEqual(['worker-0']);
    expect(pool.status?.degradedMachineCount).toBe(1);
    // Paused by Strata: the node MCO had not started yet is never started.
    const pausedAt = h.fleet.clock.now();
    await new Promise((r) => setTimeout(r, 500));
    expect(events(h, (e) => e.kind === 'desired' && e.t > pausedAt)).toEqual([]);
    await assertMcoOutcome(h);
  });

  it('rollback of a pool that had no image layer deletes it: the pool returns to its base image', async () => {
    h = await startHarness({
      scenario: mcoFleetScenario({
        seed: 11,
        clusters: [{ name: 'a', nodes: 3, maxUnavailable: 2 }],
        faults: { updateFailure: { clusters: ['a'], probability: 0.5 } },
      }),
    });
    const base = h.fleet.cluster('a').state.poolTarget('worker').config;
    const id = await h.startRollout({
      track: 'prod',
      digest: digestOf('v2'),
      strategy: { ...strategy, onFailure: 'rollback' },
    });
    const end = await h.waitForStatus(id, ['RolledBack', 'Halted', 'Completed'], 120_000);
    expect(end.status).toBe('RolledBack');
    const state = h.fleet.cluster('a').state;
    expect(state.machineConfigs.get(undefined, LAYER)).toBeUndefined();
    await h.waitUntil(() => mcp(h!, 'a').updated && mcp(h!, 'a').settled, 'MCO to report the pool updated');
    expect(state.poolTarget('worker')).toEqual({
      config: base,
      image: RELEASES['4.18.12'].baseOSContainerImage,
    });
    for (const n of state.nodes.list())
      expect(state.bootedImage(n.name)).toBe(RELEASES['4.18.12'].baseOSContainerImage);
    await h.waitUntil(() => !mcp(h!, 'a').paused, 'Strata to take its brake off the restored pool');
    await assertMcoOutcome(h);
  });

  it('rollback of a pool on an earlier image patches the image layer back to it', async () => {
    // A failed update is Degraded only until MCO's daemon retries it (seconds of simulated time); at a
    // quarter of the default time scale that moment lasts longer than one reconcile on a loaded machine.
    h = await startHarness({
      scenario: mcoFleetScenario({ seed: 5, clusters: [{ name: 'a', nodes: 3, maxUnavailable: 2 }] }),
      timeScale: 25,
    });
    const v1 = await h.startRollout({ track: 'prod', digest: digestOf('v1'), strategy });
    expect((await h.waitForStatus(v1, ['Completed', 'Halted'])).status).toBe('Completed');
    const onV1 = h.fleet.cluster('a').state.poolTarget('worker');
    h.fleet.injectFault({ updateFailure: { clusters: ['a'], nodes: [], probability: 0.5 } });
    const v2 = await h.startRollout({
      track: 'prod',
      digest: digestOf('v2'),
      strategy: { ...strategy, onFailure: 'rollback' },
    });
    const end = await h.waitForStatus(v2, ['RolledBack', 'Halted', 'Completed'], 120_000);
    expect(end.status).toBe('RolledBack');
    const state = h.fleet.cluster('a').state;
    expect(state.machineConfigs.get(undefined, LAYER)?.object.spec).toEqual({ osImageURL: image('v1') });
    await h.waitUntil(() => mcp(h!, 'a').updated && mcp(h!, 'a').settled, 'MCO to report the pool updated');
    expect(state.poolTarget('worker')).toEqual(onV1);
    for (const n of state.nodes.list()) expect(state.bootedImage(n.name)).toBe(image('v1'));
    await assertMcoOutcome(h);
  });

  it('a newer digest supersedes: the image layer is patched, MCO takes every node to the newer image, nothing flips', async () => {
    h = await startHarness({ scenario: mcoFleetScenario({ clusters: [{ name: 'a', nodes: 4 }] }) });
    const v2 = await h.startRollout({ track: 'prod', digest: digestOf('v2'), strategy });
    await h.waitUntil(() => events(h!, (e) => e.kind === 'desired').length >= 1, 'v2 to start a node');
    const v3 = await h.startRollout({ track: 'prod', digest: digestOf('v3'), strategy });
    expect((await h.waitForStatus(v3, ['Completed', 'Halted'])).status).toBe('Completed');
    expect((await h.rollout(v2)).status).toBe('Superseded');
    const state = h.fleet.cluster('a').state;
    expect(state.poolTarget('worker').image).toBe(image('v3'));
    for (const n of state.nodes.list()) expect(state.bootedImage(n.name)).toBe(image('v3'));
    await assertMcoOutcome(h);
  });

  it('a pool paused by hand is reported as the hold and left paused; once unpaused by hand the rollout completes', async () => {
    h = await startHarness({
      scenario: mcoFleetScenario({ clusters: [{ name: 'a', nodes: 2, paused: true }] }),
    });
    const id = await h.startRollout({ track: 'prod', digest: digestOf('v2'), strategy });
    await h.waitUntil(
      async () => (await h!.pool('a', 'worker')).holds.includes('paused-by-admin'),
      'the hold',
    );
    await new Promise((r) => setTimeout(r, 500));
    expect(mcp(h, 'a').paused).toBe(true);
    expect(events(h, (e) => e.kind === 'desired')).toEqual([]);
    expect((await h.rollout(id)).status).toBe('Progressing');
    // The administrator takes the pause back.
    const custom = h.fleet.cluster('a').kubeConfig().makeApiClient(CustomObjectsApi);
    await custom.patchClusterCustomObject(
      {
        group: 'machineconfiguration.openshift.io',
        version: 'v1',
        plural: 'machineconfigpools',
        name: 'worker',
        body: { spec: { paused: false } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    expect((await h.waitForStatus(id, ['Completed', 'Halted'])).status).toBe('Completed');
    await assertMcoOutcome(h);
  });

  it('OpenShift 4.16 with a node that went through desiredImage: the target is refused with the reason and nothing is written', async () => {
    h = await startHarness({
      scenario: mcoFleetScenario({ clusters: [{ name: 'a', nodes: 2, release: '4.16.9' }] }),
    });
    // As if worker-1 had once been moved through desiredImage: MCO 4.16 would leave it Degraded.
    const core = h.fleet.cluster('a').kubeConfig().makeApiClient(CoreV1Api);
    await core.patchNode(
      {
        name: 'worker-1',
        body: { metadata: { annotations: { [NodeAnnotations.currentImage]: image('v1') } } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    const id = await h.startRollout({ track: 'prod', digest: digestOf('v2'), strategy });
    const end = await h.waitForStatus(id, ['Halted', 'Completed']);
    expect(end.status).toBe('Halted');
    expect(end.progress?.failureReason).toMatch(
      /a\/worker: pool worker: OpenShift 4\.16\.9: node\(s\) worker-1 carry a currentImage annotation/,
    );
    expect(h.fleet.cluster('a').state.machineConfigs.get(undefined, LAYER)).toBeUndefined();
    expect(events(h, (e) => e.kind === 'desired')).toEqual([]);
  });
});
