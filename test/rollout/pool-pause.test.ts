/**
 * An operator's pause of one pool (`strata pool pause`, the admin API's `POST /v1/clusters/{id}/pause`) on
 * both drivers, against the simulator: the agent driver starts no node of the pool; the mco driver pauses
 * the MachineConfigPool with Strata's annotations (reason `pool-paused`, who asked) so MCO starts none; the
 * resume lets the rollout complete, and on mco unpauses only a pause that is Strata's.
 */
import { CustomObjectsApi, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { listEvents } from '../../functions/adapters/store/events.ts';
import { dynamoStores } from '../../functions/adapters/store/index.ts';
import { controlPool, type PoolAction } from '../../functions/adapters/store/pool-control.ts';
import { PauseAnnotations } from '../../functions/core/drivers/mco/index.ts';
import type { RolloutStrategy } from '../../functions/core/model.ts';
import { digestOf, type Harness, startHarness } from './harness.ts';
import { fleetScenario, mcoFleetScenario } from './scenarios.ts';

const strategy: RolloutStrategy = {
  waves: [],
  maxConcurrentClusters: 2,
  soakSeconds: 0,
  poolFailureBudget: 0,
  fleetFailureBudget: 0,
  onFailure: 'halt',
};

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

const control = (harness: Harness, action: PoolAction, cluster = 'a') =>
  controlPool(
    {
      stores: dynamoStores(harness.store),
      reconcileQueue: harness.queues.reconcile,
      now: () => harness.now(),
    },
    cluster,
    'worker',
    action,
  );
const mcpOf = (harness: Harness) =>
  harness.fleet.cluster('a').state.machineConfigPool('worker') as unknown as {
    metadata: { annotations?: Record<string, string> };
    spec: { paused?: boolean };
  };
const annotations = (harness: Harness) =>
  (mcpOf(harness).metadata.annotations ?? {}) as Record<string, string>;
/** Node writes of a kind on cluster `a` (cordons, desired configs or images) so far. */
const writes = (harness: Harness, kind: 'cordon' | 'desired') =>
  harness.fleet.timeline.events.filter((e) => e.cluster === 'a' && e.kind === kind);
/** Real time for several reconciles of the held pool to have run (nothing may move meanwhile). */
const settle = () => new Promise((r) => setTimeout(r, 1500));

describe('pool pause', { timeout: 180_000 }, () => {
  it('agent driver: no node of a paused pool starts; the resume lets the rollout complete', async () => {
    h = await startHarness({
      scenario: fleetScenario({ clusters: [{ name: 'a', nodes: 3, agent: true }] }),
    });
    const paused = await control(h, 'pause');
    expect(paused).toMatchObject({ changed: true, pool: { paused: { by: 'admin-api' } } });
    expect((await control(h, 'pause')).changed).toBe(false);

    const id = await h.startRollout({ track: 'edge', digest: digestOf('v2'), strategy });
    await h.waitUntil(async () => (await h!.pool('a', 'worker')).target !== null, 'the pool targeted');
    await h.waitUntil(
      async () => (await h!.pool('a', 'worker')).holds.includes('pool-paused'),
      'the hold reported',
    );
    await settle();
    const held = await h.pool('a', 'worker');
    expect(held.slots).toEqual({});
    expect(writes(h, 'cordon')).toEqual([]);
    expect((await h.rollout(id)).status).toBe('Progressing');

    const resumed = await control(h, 'resume');
    expect(resumed.changed).toBe(true);
    expect(resumed.pool.paused).toBeUndefined();
    expect((await h.waitForStatus(id, ['Completed', 'Halted'], 120_000)).status).toBe('Completed');
    expect((await h.pool('a', 'worker')).holds).not.toContain('pool-paused');
    const kinds = (await listEvents(h.store, id)).map((e) => e.kind);
    expect(kinds).toEqual(expect.arrayContaining(['PoolResumed']));
    expect(h.fleet.checkInvariants().violations).toEqual([]);
  });

  it('mco driver: the MachineConfigPool is paused with Strata’s annotations, MCO starts no node; the resume unpauses it', async () => {
    h = await startHarness({ scenario: mcoFleetScenario({ clusters: [{ name: 'a', nodes: 2 }] }) });
    // Paused while no rollout targets it: the brake goes on all the same.
    await control(h, 'pause');
    await h.waitUntil(() => mcpOf(h!).spec.paused === true, 'the MachineConfigPool paused');
    expect(annotations(h)).toMatchObject({
      [PauseAnnotations.pausedBy]: 'strata',
      [PauseAnnotations.reason]: 'pool-paused',
      [PauseAnnotations.requestedBy]: 'admin-api',
    });
    expect(annotations(h)[PauseAnnotations.pausedAt]).toMatch(/^\d{4}-\d\d-\d\dT/);

    const id = await h.startRollout({ track: 'prod', digest: digestOf('v2'), strategy });
    await h.waitUntil(async () => (await h!.pool('a', 'worker')).target !== null, 'the pool targeted');
    await settle();
    // MCO renders the image layer but, paused, tells no node.
    expect(mcpOf(h).spec.paused).toBe(true);
    expect(annotations(h)[PauseAnnotations.reason]).toBe('pool-paused');
    expect(writes(h, 'desired')).toEqual([]);
    expect((await h.pool('a', 'worker')).holds[0]).toBe('pool-paused');

    await control(h, 'resume');
    expect((await h.waitForStatus(id, ['Completed', 'Halted'], 120_000)).status).toBe('Completed');
    expect(mcpOf(h).spec.paused).toBe(false);
    for (const key of Object.values(PauseAnnotations)) expect(annotations(h)[key]).toBeUndefined();
    expect(h.fleet.checkInvariants().violations).toEqual([]);
  });

  it('mco driver: a pool an administrator paused stays paused through a Strata pause and resume', async () => {
    h = await startHarness({
      scenario: mcoFleetScenario({ clusters: [{ name: 'a', nodes: 2, paused: true }] }),
    });
    await control(h, 'pause');
    await h.waitUntil(
      async () => (await h!.pool('a', 'worker')).holds.includes('paused-by-admin'),
      'the administrator’s pause reported',
    );
    await control(h, 'resume');
    await h.waitUntil(
      async () => (await h!.pool('a', 'worker')).holds.join() === 'paused-by-admin',
      'the resume reconciled',
    );
    await settle();
    expect(mcpOf(h).spec.paused).toBe(true);
    expect(annotations(h)[PauseAnnotations.pausedBy]).toBeUndefined();
    // The administrator's pause is theirs to lift: once they do, the pool is free.
    await h.fleet
      .cluster('a')
      .kubeConfig()
      .makeApiClient(CustomObjectsApi)
      .patchClusterCustomObject(
        {
          group: 'machineconfiguration.openshift.io',
          version: 'v1',
          plural: 'machineconfigpools',
          name: 'worker',
          body: { spec: { paused: false } },
        },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
    await h.resync();
    await h.waitUntil(async () => (await h!.pool('a', 'worker')).holds.length === 0, 'no hold left');
  });

  it('an unknown pool is refused with its name, and nothing is written', async () => {
    h = await startHarness({ scenario: mcoFleetScenario({ clusters: [{ name: 'a', nodes: 1 }] }) });
    await expect(control(h, 'pause', 'nope')).rejects.toThrow('pool nope/worker: not registered');
    expect((await h.pool('a', 'worker')).paused).toBeUndefined();
  });
});
