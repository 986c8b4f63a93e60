/**
 * Plain Kubernetes clusters whose scenario says `nodeBehaviour: strata-agent`: the fleet runs the real node
 * agent on every node (sim/agents.ts), with the scenario's agent settings and faults. The tests play the
 * control plane (the coming `agent` driver) through the API, and read the verdict of the invariant checker.
 * The manual clock moves simulated time; the agents talk HTTP in real time (the helpers wait for them).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AgentAnnotations as A } from '../../agent/protocol.ts';
import { NodeAnnotations as MCO } from '../../functions/core/model.ts';
import {
  type Fleet,
  loadScenario,
  nodeAgentsOf,
  openshiftScenarioPath,
  type ScenarioInput,
  startFleet,
} from '../../sim/index.ts';
import {
  advance,
  annotate,
  annotations,
  cordon,
  drainAndRequestReboot,
  EPOCH,
  hostRan,
  NEW,
  OLD,
  setDesired,
  update,
  type World,
  waitFor,
  worldOf,
} from '../agent/sim-world.ts';

const OTHER = `quay.io/acme/os@sha256:${'c'.repeat(64)}`;

interface Shape {
  agent?: ScenarioInput['agent'];
  faults?: ScenarioInput['faults'];
  tokens?: ScenarioInput['tokens'];
  maxUnavailable?: number;
}

/** An agent cluster `k1` beside a plain cluster `d1` on the default node behaviour (the annotation daemon). */
function scenario(nodes: number, shape: Shape = {}): ScenarioInput {
  const cluster = (name: string) => ({
    name,
    kind: 'kubernetes' as const,
    labels: { env: 'test' },
    pools: [
      {
        name: 'worker',
        maxUnavailable: shape.maxUnavailable ?? 1,
        baseImage: OLD,
        nodes: { count: nodes, zones: ['z-a'] },
      },
    ],
    workloads: [{ name: 'web', namespace: 'shop', replicas: 2, pdb: { minAvailable: 1 } }],
    daemonSets: [{ name: 'node-exporter', namespace: 'monitoring' }],
  });
  return {
    seed: 5,
    timing: { react: '1s', rebase: '30s', reboot: '60s', evictionReturn: '5s', jitter: 0 },
    clusters: [{ ...cluster('k1'), nodeBehaviour: 'strata-agent' }, cluster('d1')],
    ...(shape.agent ? { agent: shape.agent } : {}),
    ...(shape.faults ? { faults: shape.faults } : {}),
    ...(shape.tokens ? { tokens: shape.tokens } : {}),
  };
}

let fleet: Fleet | undefined;
afterEach(async () => {
  await fleet?.stop();
  fleet = undefined;
});

/** Starts the fleet and waits until every agent of k1 reported Done. */
async function setup(input: ScenarioInput): Promise<World> {
  fleet = await startFleet(input, { clock: 'manual', epochMs: EPOCH });
  const cluster = fleet.cluster('k1');
  const world = worldOf(fleet, cluster, nodeAgentsOf(cluster));
  for (const node of cluster.state.nodes.list())
    await waitFor(world, node.name, (a) => a[A.state] === 'Done', 'Done at start');
  return world;
}

const mcoKeys = (a: Record<string, string>) =>
  Object.keys(a).filter((k) => k.startsWith('machineconfiguration.openshift.io/'));

describe.each(['client-node', 'shared'] as const)('a strata-agent cluster (node port %s)', (nodePort) => {
  it('the control plane updates every node through the API: the target booted, Done, 0 violations', async () => {
    const world = await setup(scenario(3, { agent: { nodePort } }));
    const k1 = world.fleet.cluster('k1');
    expect(nodeAgentsOf(k1).running()).toEqual(['worker-0', 'worker-1', 'worker-2']);
    // Agent nodes speak Strata's protocol only; the annotation-daemon cluster beside it keeps MCO's.
    for (const node of k1.state.nodes.list()) expect(mcoKeys(node.annotations)).toEqual([]);
    expect(world.fleet.cluster('d1').state.nodes.list()[0]!.annotations[MCO.currentImage]).toBe(OLD);
    expect(() => nodeAgentsOf(world.fleet.cluster('d1'))).toThrow(
      'cluster "d1" does not run the Strata agent (kind: kubernetes, nodeBehaviour: strata-agent)',
    );

    for (const name of ['worker-0', 'worker-1', 'worker-2']) {
      const done = await update(world, name, NEW);
      expect(done).toMatchObject({ [A.state]: 'Done', [A.currentImage]: NEW, [A.reason]: '' });
      expect(k1.state.bootedImage(name)).toBe(NEW);
    }

    for (const node of k1.state.nodes.list()) {
      expect(node.unschedulable).toBe(false);
      expect(mcoKeys(node.annotations)).toEqual([]);
    }
    const report = world.fleet.checkInvariants();
    expect(report.violations).toEqual([]);
    expect(report.leftCordoned).toEqual([]);
    expect(report.pools.find((p) => p.cluster === 'k1')).toEqual({
      cluster: 'k1',
      pool: 'worker',
      maxUnavailable: 1,
      peakUnavailable: 1,
    });
  });

  it('a node added by fleet.addNode gets an agent, which reports it and updates it', async () => {
    const world = await setup(scenario(1, { agent: { nodePort } }));
    const name = world.fleet.addNode('k1', 'worker');
    expect(name).toBe('worker-1');
    expect(await waitFor(world, name, (a) => a[A.state] === 'Done', 'Done')).toMatchObject({
      [A.currentImage]: OLD,
      [A.stateImage]: OLD,
    });
    expect(world.agents.running()).toEqual(['worker-0', 'worker-1']);
    expect(await update(world, name, NEW)).toMatchObject({ [A.state]: 'Done', [A.currentImage]: NEW });
    expect(world.fleet.checkInvariants().violations).toEqual([]);
  });

  it('agents keep following their nodes across watch disconnects', async () => {
    const world = await setup(scenario(2, { agent: { nodePort } }));
    expect(world.fleet.disconnectWatches('k1')).toBeGreaterThan(0);
    await setDesired(world, 'worker-1', NEW);
    await advance(world, 30_000);
    await waitFor(world, 'worker-1', (a) => a[A.state] === 'Staged' && a[A.stateImage] === NEW, 'Staged');
  });
});

describe('scenario faults on agent nodes end Degraded with their own reason', () => {
  it('pull, auth, hang (the scenario staging timeout), no boot, failed staging; injected at run time too', async () => {
    const world = await setup(
      scenario(6, {
        faults: {
          pullFailure: { nodes: ['worker-0'] },
          authFailure: { clusters: ['k1'], nodes: ['worker-1'] },
          stagingHang: { nodes: ['worker-2'] },
          imageNoBoot: { nodes: ['worker-3'] },
          updateFailure: { nodes: ['worker-4'] },
        },
        agent: { timeouts: { staging: '5m' }, host: { failedPull: '3s' } },
      }),
    );
    const digest = `sha256:${'b'.repeat(64)}`;
    for (const node of ['worker-0', 'worker-1', 'worker-2', 'worker-4']) await setDesired(world, node, NEW);
    await advance(world, 3000);
    expect(await waitFor(world, 'worker-0', (a) => a[A.state] === 'Degraded', 'Degraded')).toMatchObject({
      [A.reason]: `pull failed: error: Switching: Pulling: Creating importer: failed to invoke method OpenImage: reading manifest ${digest} in quay.io/acme/os: manifest unknown`,
      [A.currentImage]: OLD,
    });
    expect((await waitFor(world, 'worker-1', (a) => a[A.state] === 'Degraded', 'Degraded'))[A.reason]).toBe(
      `registry auth failed: error: Switching: Pulling: Creating importer: failed to invoke method OpenImage: reading manifest ${digest} in quay.io/acme/os: unauthorized: authentication required`,
    );
    await advance(world, 30_000);
    expect((await waitFor(world, 'worker-4', (a) => a[A.state] === 'Degraded', 'Degraded'))[A.reason]).toBe(
      'staging failed: error: Switching: Staging deployment: Checking out deployment tree: No space left on device (os error 28)',
    );

    expect(await update(world, 'worker-3', NEW)).toMatchObject({
      [A.state]: 'Degraded',
      [A.currentImage]: OLD,
      [A.reason]: `booted digest differs: booted ${OLD}, expected ${NEW}`,
    });
    expect(world.fleet.cluster('k1').state.bootedImage('worker-3')).toBe(OLD);

    // The hang: Staging until the scenario's 5-minute staging timeout (not the agent's default 12).
    expect(annotations(await world.core.readNode({ name: 'worker-2' }))[A.state]).toBe('Staging');
    await advance(world, 5 * 60_000, 30_000);
    expect((await waitFor(world, 'worker-2', (a) => a[A.state] === 'Degraded', 'Degraded'))[A.reason]).toBe(
      'timeout in Staging after 300s',
    );

    // Faults injected at run time apply to the next staging attempt.
    world.fleet.injectFault({ pullFailure: { nodes: ['worker-5'], probability: 0 } });
    await setDesired(world, 'worker-5', NEW);
    await advance(world, 3000);
    expect(
      (await waitFor(world, 'worker-5', (a) => a[A.state] === 'Degraded', 'Degraded'))[A.reason],
    ).toMatch(/^pull failed: /);

    // Degraded nodes are failures, not violations; the fault-free path was never taken by any of them.
    const report = world.fleet.checkInvariants();
    expect(report.violations).toEqual([]);
    expect(
      world.fleet.timeline.events
        .filter((e) => e.cluster === 'k1' && e.kind === 'degraded')
        .map((e) => e.node),
    ).toEqual(['worker-0', 'worker-1', 'worker-4', 'worker-3', 'worker-2', 'worker-5']);
    // Nothing happens to the annotation-daemon cluster's nodes: agent faults are agent-only.
    expect(world.fleet.timeline.events.filter((e) => e.cluster === 'd1' && e.kind === 'degraded')).toEqual(
      [],
    );
  });
});

describe('the invariant checker on agent nodes', () => {
  it('reports a reboot asked for without a drain', async () => {
    const world = await setup(scenario(2));
    await setDesired(world, 'worker-0', NEW);
    await advance(world, 30_000);
    await waitFor(world, 'worker-0', (a) => a[A.state] === 'Staged', 'Staged');
    await annotate(world, 'worker-0', { [A.reboot]: NEW }); // neither cordoned nor drained
    await hostRan(world, 'worker-0', 'reboot');
    await advance(world, 61_000);
    await waitFor(world, 'worker-0', (a) => a[A.state] === 'Done', 'Done');

    const violations = world.fleet.checkInvariants().violations;
    expect(violations.map((v) => [v.kind, v.cluster, v.node])).toEqual([
      ['not-drained', 'k1', 'worker-0'],
      ['not-drained', 'k1', 'worker-0'],
    ]);
    expect(violations[0]!.detail).toBe('reboot requested while the node is schedulable (not cordoned)');
    expect(violations[1]!.detail).toMatch(
      /^reboot requested while [12] evictable pod\(s\) still run on the node/,
    );
  });

  it('reports a second node taken down beyond maxUnavailable', async () => {
    const world = await setup(scenario(2));
    for (const node of ['worker-0', 'worker-1']) await setDesired(world, node, NEW);
    await advance(world, 30_000);
    for (const node of ['worker-0', 'worker-1'])
      await waitFor(world, node, (a) => a[A.state] === 'Staged', 'Staged');
    await drainAndRequestReboot(world, 'worker-0', NEW);
    await cordon(world, 'worker-1', true); // while worker-0 is still on its way: 2 of maxUnavailable 1

    const report = world.fleet.checkInvariants();
    expect(
      report.violations.filter((v) => v.kind !== 'left-cordoned').map((v) => [v.kind, v.node, v.detail]),
    ).toEqual([
      ['max-unavailable', 'worker-1', '2 nodes unavailable at once in pool worker, maxUnavailable 1'],
    ]);
    expect(report.pools.find((p) => p.cluster === 'k1')?.peakUnavailable).toBe(2);
  });

  it('reports a node left cordoned after Done, not one left cordoned Degraded', async () => {
    // Three nodes, two may be down: the only rule broken is the node left cordoned after Done.
    const world = await setup(
      scenario(3, {
        maxUnavailable: 2,
        faults: { imageNoBoot: { nodes: ['worker-1'] } },
        agent: { nodePort: 'shared' },
      }),
    );
    await setDesired(world, 'worker-0', NEW);
    await advance(world, 30_000);
    await waitFor(world, 'worker-0', (a) => a[A.state] === 'Staged', 'Staged');
    await drainAndRequestReboot(world, 'worker-0', NEW);
    await hostRan(world, 'worker-0', 'reboot');
    await advance(world, 61_000);
    await waitFor(world, 'worker-0', (a) => a[A.state] === 'Done', 'Done'); // and never uncordoned
    await cordon(world, 'worker-1', false);
    const degraded = await update(world, 'worker-1', NEW);
    expect(degraded[A.state]).toBe('Degraded');
    await cordon(world, 'worker-1', true); // a failed node may stay cordoned for a human

    const report = world.fleet.checkInvariants();
    expect(report.violations.map((v) => [v.kind, v.node, v.detail])).toEqual([
      ['left-cordoned', 'worker-0', 'node left cordoned (last state Done)'],
    ]);
    expect(report.leftCordoned.map((n) => [n.node, n.lastState])).toEqual([
      ['worker-0', 'Done'],
      ['worker-1', 'Degraded'],
    ]);
  });

  it('reports a desired image reset by another writer (a fight), not a rollback by the same one', async () => {
    const tokens = [
      { name: 'admin', token: 'strata-sim-admin-token', access: 'admin' as const },
      { name: 'intruder', token: 'strata-sim-intruder-token', access: 'admin' as const },
    ];
    const world = await setup(scenario(2, { tokens }));
    const intruder = worldOf(
      world.fleet,
      {
        ...world.fleet.cluster('k1'),
        kubeConfig: () => world.fleet.cluster('k1').kubeConfig('strata-sim-intruder-token'),
      },
      world.agents,
    );
    // worker-0: the control plane rolls out NEW, rolls back to OLD and out again: all its own writes.
    for (const image of [NEW, OLD, NEW]) await annotate(world, 'worker-0', { [A.desiredImage]: image });
    // worker-1: someone else moves the node to OTHER, and the control plane puts NEW back.
    await annotate(world, 'worker-1', { [A.desiredImage]: NEW });
    await annotate(intruder, 'worker-1', { [A.desiredImage]: OTHER });
    await annotate(world, 'worker-1', { [A.desiredImage]: NEW });

    const flips = world.fleet.checkInvariants().violations;
    expect(flips.map((v) => [v.kind, v.node, v.detail])).toEqual([
      [
        'desired-flip',
        'worker-1',
        `strata.io/desired-image flipped ${NEW} -> ${OTHER} -> ${NEW} (${OTHER} set by intruder, then reset by admin)`,
      ],
    ]);
  });
});

describe('the OpenShift scenario (sim/scenarios/openshift.yaml)', () => {
  it('runs the Strata agent on its plain clusters: Done on the base image, no MCO annotations', async () => {
    fleet = await startFleet(loadScenario(openshiftScenarioPath), { clock: 'manual', epochMs: EPOCH });
    for (const name of ['edge-a', 'edge-b']) {
      const cluster = fleet.cluster(name);
      const world = worldOf(fleet, cluster, nodeAgentsOf(cluster));
      const nodes = cluster.state.nodes.list();
      expect(world.agents.running()).toEqual(nodes.map((n) => n.name).sort());
      const base = cluster.state.pools[0]!.baseImage;
      for (const node of nodes) {
        const a = await waitFor(world, node.name, (x) => x[A.state] === 'Done', 'Done');
        expect(a[A.currentImage]).toBe(base);
        expect(mcoKeys(a)).toEqual([]);
      }
    }
    expect(fleet.checkInvariants().violations).toEqual([]);
  });
});
