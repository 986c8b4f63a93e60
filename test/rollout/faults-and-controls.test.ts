import { afterEach, describe, expect, it } from 'vitest';
import { NodeAnnotations, type RolloutStrategy } from '../../functions/core/model.ts';
import type { TimelineEvent } from '../../sim/index.ts';
import { digestOf, type Harness, startHarness } from './harness.ts';
import { BASE_IMAGE, fleetScenario } from './scenarios.ts';

const strategy: RolloutStrategy = {
  waves: [],
  maxConcurrentClusters: 2,
  soakSeconds: 0,
  poolFailureBudget: 0,
  fleetFailureBudget: 0,
  onFailure: 'halt',
};
const image = (tag: string) => `quay.io/strata/rhcos-layered@${digestOf(tag)}`;
const nodesOf = (h: Harness, cluster: string) => h.fleet.cluster(cluster).state.nodes.list();
const events = (h: Harness, filter: (e: TimelineEvent) => boolean) => h.fleet.timeline.events.filter(filter);

describe('rollout scenarios on the simulator', { timeout: 120_000 }, () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  it('a degraded node exhausts the pool budget: the rollout halts and starts no other node', async () => {
    // Prepare: worker-1 fails its update (zone order: worker-0, worker-1, worker-2).
    h = await startHarness({
      scenario: fleetScenario({
        clusters: [{ name: 'a', nodes: 3 }],
        faults: { updateFailure: { clusters: ['a'], nodes: ['worker-1'] } },
      }),
    });
    // Act
    const id = await h.startRollout({ track: 'prod', digest: digestOf('v2'), strategy });
    const halted = await h.waitForStatus(id, ['Halted', 'Completed']);
    await new Promise((r) => setTimeout(r, 300));
    // Assess
    expect(halted.status).toBe('Halted');
    expect((halted as { progress?: { failureReason?: string } }).progress?.failureReason).toMatch(
      /pool a\/worker: 1 degraded nodes exceed the pool failure budget 0/,
    );
    expect(events(h, (e) => e.node === 'worker-2' && (e.kind === 'cordon' || e.kind === 'desired'))).toEqual(
      [],
    );
    const pool = await h.pool('a', 'worker');
    expect(pool.status).toMatchObject({ degradedMachineCount: 1 });
    expect(pool.failed).toEqual({ 'worker-1': `${pool.target!.config}|${image('v2')}` });
    expect(h.fleet.checkInvariants().violations).toEqual([]);
  });

  it('with onFailure rollback, touched pools go back to their previous config and nothing stays cordoned', async () => {
    h = await startHarness({
      scenario: fleetScenario({
        clusters: [{ name: 'a', nodes: 3 }],
        faults: { updateFailure: { clusters: ['a'], nodes: ['worker-1'] } },
      }),
    });
    const id = await h.startRollout({
      track: 'prod',
      digest: digestOf('v2'),
      strategy: { ...strategy, onFailure: 'rollback' },
    });
    const end = await h.waitForStatus(id, ['RolledBack', 'Halted', 'Completed']);
    expect(end.status).toBe('RolledBack');
    for (const n of nodesOf(h, 'a')) {
      expect(n.annotations[NodeAnnotations.currentImage]).toBe(BASE_IMAGE);
      expect(n.annotations[NodeAnnotations.state]).toBe('Done');
      expect(n.unschedulable).toBe(false);
    }
    expect(h.fleet.checkInvariants().violations).toEqual([]);
  });

  it('a manual rollback after completion returns every node to the previous rendered config', async () => {
    h = await startHarness({
      scenario: fleetScenario({ clusters: [{ name: 'a', nodes: 3, maxUnavailable: 2 }] }),
    });
    const before = nodesOf(h, 'a')[0]!.annotations[NodeAnnotations.currentConfig];
    const id = await h.startRollout({ track: 'prod', digest: digestOf('v2'), strategy });
    await h.waitForStatus(id, ['Completed']);
    expect(nodesOf(h, 'a').every((n) => n.annotations[NodeAnnotations.currentImage] === image('v2'))).toBe(
      true,
    );
    // Act
    await h.control(id, 'rollback');
    const end = await h.waitForStatus(id, ['RolledBack']);
    // Assess
    expect(end.status).toBe('RolledBack');
    for (const n of nodesOf(h, 'a')) {
      expect(n.annotations[NodeAnnotations.currentConfig]).toBe(before);
      expect(n.annotations[NodeAnnotations.currentImage]).toBe(BASE_IMAGE);
      expect(n.unschedulable).toBe(false);
    }
    expect(h.fleet.checkInvariants().violations).toEqual([]);
  });

  it('a PDB that blocks a drain: evictions are retried, the node is reported stuck past the drain timeout, then finishes', async () => {
    h = await startHarness({
      scenario: fleetScenario({
        clusters: [{ name: 'a', nodes: 3 }],
        pdbMinAvailable: 1,
        faults: { pdbBlock: [{ cluster: 'a', namespace: 'shop', name: 'web-pdb', for: '40s' }] },
      }),
      settings: { drainTimeoutSeconds: 10, drainRetrySeconds: 2 },
    });
    const id = await h.startRollout({ track: 'prod', digest: digestOf('v2'), strategy });
    await h.waitUntil(
      async () => (await h!.pool('a', 'worker')).stuck.length > 0,
      'a stuck drain to be reported',
    );
    const stuck = await h.pool('a', 'worker');
    // The stuck node keeps its slot; nobody else starts meanwhile (maxUnavailable 1).
    expect(Object.keys(stuck.slots)).toEqual(stuck.stuck);
    await h.waitForStatus(id, ['Completed']);
    expect(events(h, (e) => e.kind === 'eviction-blocked').length).toBeGreaterThan(1);
    const report = h.fleet.checkInvariants();
    expect(report.violations).toEqual([]);
    expect((await h.pool('a', 'worker')).stuck).toEqual([]);
  });

  it('a pause gives back a node cordoned but not yet told its target: it is never told during the pause', async () => {
    // Prepare: the first node's drain waits on a PDB, so it is cordoned but not told its target.
    h = await startHarness({
      scenario: fleetScenario({
        clusters: [{ name: 'a', nodes: 3 }],
        pdbMinAvailable: 1,
        faults: { pdbBlock: [{ cluster: 'a', namespace: 'shop', name: 'web-pdb' }] },
      }),
      settings: { drainRetrySeconds: 1 },
    });
    const id = await h.startRollout({ track: 'prod', digest: digestOf('v2'), strategy });
    const state = h.fleet.cluster('a').state;
    await h.waitUntil(() => state.nodes.list().some((n) => n.unschedulable), 'a node cordoned');
    const cordoned = state.nodes.list().find((n) => n.unschedulable)!.name;
    // Act
    await h.control(id, 'pause');
    await h.waitUntil(
      async () => (await h!.pool('a', 'worker')).givenBack?.includes(cordoned) === true,
      'the cordoned node given back',
    );
    await new Promise((r) => setTimeout(r, 300));
    // Assess: uncordoned, slot freed, never told the target; the description names it.
    const pool = await h.pool('a', 'worker');
    expect(pool.slots).toEqual({});
    expect(state.nodes.get(undefined, cordoned)!.unschedulable).toBe(false);
    expect(events(h, (e) => e.kind === 'desired')).toEqual([]);
    const { describeRollout } = await import('../../functions/core/admin/index.ts');
    const described = describeRollout({
      rollout: await h.rollout(id),
      clusters: [
        {
          id: 'a',
          endpoint: '',
          labels: {},
          pools: [],
          credentials: { kind: 'token-secret' },
          registeredAt: '',
        },
      ],
      pools: [pool],
      events: [],
      now: h.now(),
    });
    expect(described.blocked.join('\n')).toContain(`given back (uncordoned, not told their target`);
    expect(described.blocked.join('\n')).toContain(cordoned);
    expect(h.fleet.checkInvariants().violations).toEqual([]);
  });

  it('pause stops new starts (nodes in flight finish); resume completes the rollout', async () => {
    h = await startHarness({ scenario: fleetScenario({ clusters: [{ name: 'a', nodes: 4 }] }) });
    const id = await h.startRollout({ track: 'prod', digest: digestOf('v2'), strategy });
    await h.waitUntil(() => events(h!, (e) => e.kind === 'desired').length >= 1, 'a first node to start');
    // Act: pause, let in-flight work settle.
    await h.control(id, 'pause');
    // Once a reconcile has reported the hold, every later one sees the pause (one reconcile per pool at a time).
    await h.waitUntil(
      async () => (await h!.pool('a', 'worker')).holds.includes('paused'),
      'the pause to be seen',
    );
    const pool = await h.pool('a', 'worker');
    const inFlight = new Set(Object.keys(pool.slots));
    const pausedAt = h.fleet.clock.now();
    await h.waitUntil(
      async () => Object.keys((await h!.pool('a', 'worker')).slots).length === 0,
      'in-flight nodes to finish',
    );
    await new Promise((r) => setTimeout(r, 400));
    // Assess: nothing new cordoned after the pause, beyond the nodes already holding a slot.
    const startedAfter = events(h, (e) => e.kind === 'cordon' && e.t > pausedAt && !inFlight.has(e.node!));
    expect(startedAfter).toEqual([]);
    expect((await h.pool('a', 'worker')).holds).toEqual(['paused']);
    expect((await h.rollout(id)).status).toBe('Paused');
    await h.control(id, 'resume');
    await h.waitForStatus(id, ['Completed']);
    expect(nodesOf(h, 'a').every((n) => n.annotations[NodeAnnotations.currentImage] === image('v2'))).toBe(
      true,
    );
    expect(h.fleet.checkInvariants().violations).toEqual([]);
  });

  it('a closed maintenance window holds every start until it opens', async () => {
    // Simulated time starts at 00:00:00 UTC; the window opens at 00:01 for 30 minutes.
    // At a tenth of the default time scale the minute before the window opens is 6 s of wall time: enough
    // for the harness to start and the rollout to be planned on a loaded machine.
    h = await startHarness({
      scenario: fleetScenario({ clusters: [{ name: 'a', nodes: 2 }] }),
      timeScale: 10,
      epochMs: Date.parse('2026-03-01T00:00:00Z'),
      windows: { a: [{ cron: '1 0 * * *', timeZone: 'UTC', durationMinutes: 30 }] },
    });
    const id = await h.startRollout({ track: 'prod', digest: digestOf('v2'), strategy });
    await h.waitUntil(async () => (await h!.pool('a', 'worker')).holds.includes('window-closed'), 'the hold');
    await h.waitForStatus(id, ['Completed']);
    const firstCordon = Math.min(...events(h, (e) => e.kind === 'cordon').map((e) => e.t));
    expect(firstCordon).toBeGreaterThanOrEqual(60_000);
    expect(h.fleet.checkInvariants().violations).toEqual([]);
  });

  it('a newer digest supersedes: nodes in flight finish, nothing thrashes, the fleet ends on the newer one', async () => {
    h = await startHarness({ scenario: fleetScenario({ clusters: [{ name: 'a', nodes: 4 }] }) });
    const v2 = await h.startRollout({ track: 'prod', digest: digestOf('v2'), strategy });
    await h.waitUntil(() => events(h!, (e) => e.kind === 'desired').length >= 1, 'v2 to start a node');
    const v3 = await h.startRollout({ track: 'prod', digest: digestOf('v3'), strategy });
    await h.waitForStatus(v3, ['Completed']);
    expect((await h.rollout(v2)).status).toBe('Superseded');
    expect(nodesOf(h, 'a').every((n) => n.annotations[NodeAnnotations.currentImage] === image('v3'))).toBe(
      true,
    );
    // No thrash: a node told v2 reports done on v2 before it is told v3; each node is told each image once.
    for (const n of nodesOf(h, 'a')) {
      const desired = events(h, (e) => e.node === n.name && e.kind === 'desired');
      const details = desired.map((e) => e.detail ?? '');
      expect(new Set(details).size).toBe(details.length);
      const toV2 = desired.find((e) => e.detail?.includes(image('v2')));
      if (toV2) {
        const doneV2 = events(
          h,
          (e) => e.node === n.name && e.kind === 'done' && !!e.detail?.includes(image('v2')),
        );
        const toV3 = desired.find((e) => e.detail?.includes(image('v3')))!;
        expect(doneV2[0]!.t).toBeLessThan(toV3.t);
      }
    }
    expect(h.fleet.checkInvariants().violations).toEqual([]);
  });

  it('API faults (500, 429) and a node joining mid-rollout: the rollout completes, the new node gets the target', async () => {
    h = await startHarness({
      scenario: fleetScenario({
        clusters: [{ name: 'a', nodes: 3 }],
        faults: { api: { errorRate: 0.15, errors: ['500', '429'], retryAfterSeconds: 1 } },
      }),
    });
    const id = await h.startRollout({ track: 'prod', digest: digestOf('v2'), strategy });
    await h.waitUntil(() => events(h!, (e) => e.kind === 'done').length >= 1, 'a first node to finish');
    const joined = h.fleet.addNode('a', 'worker');
    await h.waitForStatus(id, ['Completed']);
    await h.waitUntil(
      () =>
        nodesOf(h!, 'a').every(
          (n) => n.annotations[NodeAnnotations.currentImage] === image('v2') && !n.unschedulable,
        ),
      'every node, the new one included, on v2',
    );
    expect(nodesOf(h, 'a').map((n) => n.name)).toContain(joined);
    expect(h.fleet.checkInvariants().violations).toEqual([]);
  });
});
