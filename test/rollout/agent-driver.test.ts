/**
 * The `agent` driver end to end: plain Kubernetes clusters of the simulator running the real Strata node
 * agent on simulated image-mode hosts, the rollout engine (handlers, dynalite, in-process queues, relays)
 * speaking the strata.io protocol. Asserted on the nodes' annotations, the pool items, the admin views and
 * the simulator's invariant checker.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createKubernetesCluster } from '../../functions/adapters/cluster/kubernetes.ts';
import { describeRollout, nodeView } from '../../functions/core/admin/index.ts';
import { AgentAnnotations as A, NodeAnnotations, type RolloutStrategy } from '../../functions/core/model.ts';
import { nodeAgentsOf } from '../../sim/index.ts';
import { digestOf, type Harness, startHarness } from './harness.ts';
import { BOOTC_BASE_IMAGE, fleetScenario } from './scenarios.ts';

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
const mcoKeys = Object.values(NodeAnnotations);

/** Every node of the cluster runs `img`, Done, uncordoned, with no MCO annotation. */
function expectAllOn(h: Harness, cluster: string, img: string) {
  for (const n of nodesOf(h, cluster)) {
    expect({ node: n.name, current: n.annotations[A.currentImage], state: n.annotations[A.state] }).toEqual({
      node: n.name,
      current: img,
      state: 'Done',
    });
    expect(n.unschedulable).toBe(false);
    expect(Object.keys(n.annotations).filter((k) => mcoKeys.includes(k as never))).toEqual([]);
  }
}

/** What `strata describe rollout` would say is blocking (the admin API's description, from the items). */
async function blocked(h: Harness, id: string): Promise<string[]> {
  const rollout = await h.rollout(id);
  const pools = await Promise.all(h.fleet.clusters.map((c) => h.pool(c.name, 'worker')));
  return describeRollout({
    rollout,
    clusters: h.fleet.clusters.map((c) => ({
      id: c.name,
      endpoint: c.server,
      labels: c.labels,
      pools: [],
      credentials: { kind: 'token-secret' },
      registeredAt: '',
    })),
    pools,
    events: [],
    now: h.now(),
  }).blocked;
}

const agentScenario = (
  clusters: Parameters<typeof fleetScenario>[0]['clusters'],
  faults?: Parameters<typeof fleetScenario>[0]['faults'],
) =>
  fleetScenario({
    clusters: clusters.map((c) => ({ ...c, agent: true })),
    ...(faults ? { faults } : {}),
    // Simulated: stage 4 s, reboot 4 s; the agent's staging timeout 300 s (3 s of wall time at the time
    // scale of 100: a staging on a loaded machine, its agent sharing the CPU with the control plane, must not
    // run into it).
    agent: { timeouts: { staging: '300s' } },
  });

describe('the agent driver on plain Kubernetes clusters', { timeout: 180_000 }, () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  it('waves: stage while serving, drain once Staged, reboot on request, uncordon; image-only targets', async () => {
    h = await startHarness({
      scenario: agentScenario([
        { name: 'a', nodes: 3, labels: { env: 'dev' } },
        { name: 'b', nodes: 4, maxUnavailable: 2 },
      ]),
    });
    const id = await h.startRollout({
      track: 'edge',
      digest: digestOf('v2'),
      strategy: {
        ...strategy,
        waves: [{ name: 'canary', clusterSelector: { matchLabels: { env: 'dev' } } }],
      },
    });
    const end = await h.waitForStatus(id, ['Completed', 'Halted'], 120_000);
    expect(end.status).toBe('Completed');
    expectAllOn(h, 'a', image('v2'));
    expectAllOn(h, 'b', image('v2'));
    const pool = await h.pool('a', 'worker');
    // The target is the image alone: no rendered MachineConfig on a cluster that serves none.
    expect(pool.target).toMatchObject({ config: '', image: image('v2') });
    expect(pool.lastCompleted).toEqual({ config: '', image: image('v2') });
    expect(pool.slots).toEqual({});
    // Stage before drain: every node reported Staged before it was cordoned, and the reboot request came
    // after the cordon (the checker's not-drained rule covers "drained").
    for (const c of ['a', 'b']) {
      for (const n of nodesOf(h, c)) {
        const events = h.fleet.timeline.events.filter((e) => e.cluster === c && e.node === n.name);
        const staged = events.findIndex((e) => e.kind === 'working' && e.detail?.startsWith('Staged'));
        const cordon = events.findIndex((e) => e.kind === 'cordon');
        const reboot = events.findIndex((e) => e.kind === 'desired');
        expect(staged).toBeGreaterThanOrEqual(0);
        expect(cordon).toBeGreaterThan(staged);
        expect(reboot).toBeGreaterThan(cordon);
      }
    }
    const report = h.fleet.checkInvariants();
    expect(report.violations).toEqual([]);
    expect(report.leftCordoned).toEqual([]);
  });

  it('a pull failure ends Degraded with its reason: the budget halts the rollout, the slot is freed, the reason is shown', async () => {
    h = await startHarness({
      scenario: agentScenario([{ name: 'a', nodes: 3 }], {
        pullFailure: { clusters: ['a'], nodes: ['worker-0'] },
      }),
    });
    const id = await h.startRollout({ track: 'edge', digest: digestOf('v2'), strategy });
    const end = await h.waitForStatus(id, ['Halted', 'Completed'], 120_000);
    expect(end.status).toBe('Halted');
    const pool = await h.pool('a', 'worker');
    expect(pool.failed).toEqual({ 'worker-0': image('v2') });
    expect(pool.failureReasons?.['worker-0']).toMatch(/^pull failed:/);
    // The node failed while it served: it is not cordoned and holds no slot.
    const failed = h.fleet.cluster('a').state.nodes.get(undefined, 'worker-0')!;
    expect(failed.unschedulable).toBe(false);
    expect(pool.slots['worker-0']).toBeUndefined();
    // `strata get nodes` and `strata describe rollout` name the reason.
    const read = await createKubernetesCluster(h.fleet.cluster('a').kubeConfig(), 'a').listNodes();
    const view = nodeView('a', read.find((n) => n.name === 'worker-0')!, [
      { name: 'worker', nodeSelector: { 'node-role.kubernetes.io/worker': '' } },
    ]);
    expect(view).toMatchObject({ state: 'Degraded', currentImage: BOOTC_BASE_IMAGE });
    expect(view.reason).toMatch(/^pull failed:/);
    expect((await blocked(h, id)).join('\n')).toMatch(/worker-0: pull failed:/);
    expect(h.fleet.checkInvariants().violations).toEqual([]);
  });

  it('auth and staging failures end Degraded with their own reasons and count against the budget', async () => {
    h = await startHarness({
      scenario: agentScenario([{ name: 'a', nodes: 4, maxUnavailable: 2 }], {
        authFailure: { clusters: ['a'], nodes: ['worker-0'] },
        updateFailure: { clusters: ['a'], nodes: ['worker-1'] },
      }),
    });
    const id = await h.startRollout({
      track: 'edge',
      digest: digestOf('v2'),
      strategy: { ...strategy, poolFailureBudget: 1, fleetFailureBudget: 1 },
    });
    const end = await h.waitForStatus(id, ['Halted', 'Completed'], 120_000);
    expect(end.status).toBe('Halted');
    expect(end.progress?.failureReason).toMatch(/2 degraded nodes exceed the pool failure budget 1/);
    const pool = await h.pool('a', 'worker');
    expect(pool.failureReasons?.['worker-0']).toMatch(/^registry auth failed:/);
    expect(pool.failureReasons?.['worker-1']).toMatch(/^staging failed:/);
    expect(pool.status?.degradedMachineCount).toBe(2);
    expect(h.fleet.checkInvariants().violations).toEqual([]);
  });

  it('a wrong digest booted: Degraded "booted digest differs"; onFailure rollback takes the node back and nothing stays cordoned', async () => {
    h = await startHarness({
      scenario: agentScenario([{ name: 'a', nodes: 3 }], {
        imageNoBoot: { clusters: ['a'], nodes: ['worker-1'] },
      }),
    });
    const id = await h.startRollout({
      track: 'edge',
      digest: digestOf('v2'),
      strategy: { ...strategy, onFailure: 'rollback' },
    });
    const end = await h.waitForStatus(id, ['RolledBack', 'Halted', 'Completed'], 120_000);
    expect(end.status).toBe('RolledBack');
    const pool = await h.pool('a', 'worker');
    expect(pool.failureReasons?.['worker-1']).toMatch(/^booted digest differs/);
    expectAllOn(h, 'a', BOOTC_BASE_IMAGE);
    expect(h.fleet.checkInvariants().violations).toEqual([]);
  });

  it('a staging that hangs ends in the agent staging timeout: Degraded, slot freed, the others go on within the budget', async () => {
    h = await startHarness({
      scenario: agentScenario([{ name: 'a', nodes: 3 }], {
        stagingHang: { clusters: ['a'], nodes: ['worker-2'] },
      }),
    });
    const id = await h.startRollout({
      track: 'edge',
      digest: digestOf('v2'),
      strategy: { ...strategy, poolFailureBudget: 1, fleetFailureBudget: 1 },
    });
    const end = await h.waitForStatus(id, ['Completed', 'Halted'], 120_000);
    expect(end.status).toBe('Completed');
    const pool = await h.pool('a', 'worker');
    expect(pool.failureReasons?.['worker-2']).toMatch(/^timeout in Staging after 300s/);
    expect(pool.slots).toEqual({});
    expect(pool.status?.degradedMachineCount).toBe(1);
    for (const n of nodesOf(h, 'a')) {
      expect(n.unschedulable).toBe(false);
      if (n.name !== 'worker-2') expect(n.annotations[A.currentImage]).toBe(image('v2'));
    }
    expect(h.fleet.checkInvariants().violations).toEqual([]);
  });

  it('a node whose agent never answers fails on the update timeout: budgets react, its slot is freed, it is told to stay', async () => {
    h = await startHarness({
      scenario: agentScenario([{ name: 'a', nodes: 3 }]),
      settings: { updateTimeoutSeconds: 120 },
    });
    // worker-0 is first in line (zone a); its agent is gone before the rollout.
    await nodeAgentsOf(h.fleet.cluster('a')).killAgent('worker-0');
    const id = await h.startRollout({ track: 'edge', digest: digestOf('v2'), strategy });
    const end = await h.waitForStatus(id, ['Halted', 'Completed'], 120_000);
    expect(end.status).toBe('Halted');
    await h.waitUntil(
      async () => (await h!.pool('a', 'worker')).slots['worker-0'] === undefined,
      'slot freed',
    );
    const pool = await h.pool('a', 'worker');
    expect(pool.failureReasons?.['worker-0']).toMatch(/^update timeout: the node agent did not take up/);
    const node = h.fleet.cluster('a').state.nodes.get(undefined, 'worker-0')!;
    expect(node.unschedulable).toBe(false);
    expect(node.annotations[A.desiredImage]).toBe(BOOTC_BASE_IMAGE);
    expect((await blocked(h, id)).join('\n')).toMatch(/worker-0: update timeout/);
    expect(h.fleet.checkInvariants().violations).toEqual([]);
  });

  it('an agent crash mid-update (staging, and after the reboot request) is harmless: the rollout completes', async () => {
    h = await startHarness({ scenario: agentScenario([{ name: 'a', nodes: 3 }]) });
    const agents = nodeAgentsOf(h.fleet.cluster('a'));
    const state = h.fleet.cluster('a').state;
    const id = await h.startRollout({ track: 'edge', digest: digestOf('v2'), strategy });
    await h.waitUntil(
      () => state.nodes.get(undefined, 'worker-0')?.annotations[A.state] === 'Staging',
      'worker-0 staging',
    );
    await agents.restartAgent('worker-0');
    await h.waitUntil(
      () =>
        state.nodes.get(undefined, 'worker-1')?.annotations[A.reboot] !== undefined ||
        state.nodes.get(undefined, 'worker-1')?.annotations[A.state] === 'Rebooting',
      'worker-1 asked to reboot',
    );
    await agents.restartAgent('worker-1');
    const end = await h.waitForStatus(id, ['Completed', 'Halted'], 120_000);
    expect(end.status).toBe('Completed');
    expectAllOn(h, 'a', image('v2'));
    expect(h.fleet.checkInvariants().violations).toEqual([]);
  });

  it('supersede: a newer digest takes over nodes not yet rebooted; the fleet ends on the newer one', async () => {
    h = await startHarness({ scenario: agentScenario([{ name: 'a', nodes: 4, maxUnavailable: 2 }]) });
    const first = await h.startRollout({ track: 'edge', digest: digestOf('v2'), strategy });
    const state = h.fleet.cluster('a').state;
    await h.waitUntil(
      () =>
        state.nodes
          .list()
          .some((n) => n.annotations[A.state] === 'Done' && n.annotations[A.currentImage] === image('v2')),
      'a first node on v2',
    );
    const second = await h.startRollout({ track: 'edge', digest: digestOf('v3'), strategy });
    expect((await h.waitForStatus(second, ['Completed', 'Halted'], 120_000)).status).toBe('Completed');
    expect((await h.rollout(first)).status).toBe('Superseded');
    expectAllOn(h, 'a', image('v3'));
    expect(h.fleet.checkInvariants().violations).toEqual([]);
  });

  it('a pause tells no new node its target: staged nodes are held, nodes cordoned but not asked to reboot are given back', async () => {
    h = await startHarness({ scenario: agentScenario([{ name: 'a', nodes: 4, maxUnavailable: 2 }]) });
    const state = h.fleet.cluster('a').state;
    const id = await h.startRollout({ track: 'edge', digest: digestOf('v2'), strategy });
    await h.waitUntil(
      () => state.nodes.list().some((n) => n.annotations[A.state] === 'Staging'),
      'a node staging',
    );
    await h.control(id, 'pause');
    const told = () =>
      state.nodes
        .list()
        .filter((n) => n.annotations[A.desiredImage] === image('v2'))
        .map((n) => n.name);
    const toldAtPause = told();
    // Staging finishes; nothing else happens while paused: no new desired image, no reboot request.
    await h.waitUntil(
      async () => (await h!.pool('a', 'worker')).held?.length === toldAtPause.length,
      'the told nodes held',
    );
    await new Promise((r) => setTimeout(r, 500));
    expect(told()).toEqual(toldAtPause);
    expect(state.nodes.list().filter((n) => n.annotations[A.reboot] !== undefined)).toEqual([]);
    expect(state.nodes.list().filter((n) => n.unschedulable)).toEqual([]);
    expect((await blocked(h, id)).join('\n')).toMatch(/held where they are until the resume .*worker-/);
    await h.control(id, 'resume');
    expect((await h.waitForStatus(id, ['Completed', 'Halted'], 120_000)).status).toBe('Completed');
    expectAllOn(h, 'a', image('v2'));
    expect(h.fleet.checkInvariants().violations).toEqual([]);
  });
});
