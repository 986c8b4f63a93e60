/**
 * The real agent on simulated nodes (sim/agents.ts): each node's agent is agent/agent.ts with the
 * client-node node port, against a simulated cluster's API server, with a simulated host. The test plays
 * the control plane through the API: set the desired image, wait for Staged, cordon and drain, ask for
 * the reboot, wait for Done, uncordon. The manual clock moves simulated time.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AgentAnnotations as A } from '../../agent/protocol.ts';
import {
  type AgentFaults,
  type Fleet,
  type NodeAgents,
  type NodeAgentsOptions,
  type ScenarioInput,
  startFleet,
  startNodeAgents,
} from '../../sim/index.ts';
import {
  advance,
  annotate,
  annotations,
  drainAndRequestReboot,
  EPOCH,
  hostRan,
  kinds,
  merge,
  NEW,
  OLD,
  ready,
  update,
  waitFor,
  worldOf,
} from './sim-world.ts';

function scenario(nodes: number): ScenarioInput {
  return {
    seed: 11,
    timing: { react: '1s', rebase: '10s', reboot: '20s', evictionReturn: '5s', jitter: 0 },
    clusters: [
      {
        name: 'k1',
        labels: { env: 'test' },
        pools: [
          { name: 'worker', maxUnavailable: 1, baseImage: OLD, nodes: { count: nodes, zones: ['z-a'] } },
        ],
        workloads: [{ name: 'web', namespace: 'shop', replicas: 2, pdb: { minAvailable: 1 } }],
        daemonSets: [{ name: 'node-exporter', namespace: 'monitoring' }],
      },
    ],
  };
}

let fleet: Fleet | undefined;
let agents: NodeAgents | undefined;
afterEach(async () => {
  await agents?.stop();
  await fleet?.stop();
  agents = undefined;
  fleet = undefined;
});

async function setup(nodes: number, options: NodeAgentsOptions = {}) {
  fleet = await startFleet(scenario(nodes), { clock: 'manual', epochMs: EPOCH });
  const cluster = fleet.cluster('k1');
  agents = await startNodeAgents(
    { cluster, clock: fleet.clock, timeline: fleet.timeline, epochMs: EPOCH },
    options,
  );
  const world = worldOf(fleet, cluster, agents);
  for (let i = 0; i < nodes; i++)
    await waitFor(world, `worker-${i}`, (a) => a[A.state] === 'Done', 'Done at start');
  return world;
}

describe('the real agent on simulated nodes', () => {
  it('starts on every node: auto-updaters masked, Done on the booted image', async () => {
    const world = await setup(3);
    for (let i = 0; i < 3; i++) {
      const a = annotations(await world.core.readNode({ name: `worker-${i}` }));
      expect(a).toMatchObject({
        [A.state]: 'Done',
        [A.currentImage]: OLD,
        [A.stateImage]: OLD,
        [A.reason]: '',
      });
      expect([...world.agents.host(`worker-${i}`).masked]).toEqual([
        'bootc-fetch-apply-updates.timer',
        'rpm-ostreed-automatic.timer',
        'zincati.service',
      ]);
    }
    expect(world.agents.running()).toEqual(['worker-0', 'worker-1', 'worker-2']);
  });

  it('stages while the node serves, reboots on request (NotReady meanwhile, new agent after) and reports Done', async () => {
    const world = await setup(2);
    const before = annotations(await world.core.readNode({ name: 'worker-0' }))[A.bootId];

    await annotate(world, 'worker-0', { [A.desiredImage]: NEW });
    await waitFor(world, 'worker-0', (a) => a[A.state] === 'Staging', 'Staging');
    expect((await world.core.readNode({ name: 'worker-0' })).spec?.unschedulable).toBeFalsy();
    await hostRan(world, 'worker-0', `stage ${NEW}`);
    await advance(world, 30_000);
    await waitFor(world, 'worker-0', (a) => a[A.state] === 'Staged', 'Staged');
    // Staged is not a reboot: nothing happens without the request.
    await advance(world, 30 * 60_000, 60_000);
    expect(world.agents.host('worker-0').history).toEqual([`stage ${NEW}`]);

    await drainAndRequestReboot(world, 'worker-0', NEW);
    await waitFor(world, 'worker-0', (a) => a[A.state] === 'Rebooting', 'Rebooting');
    await hostRan(world, 'worker-0', 'reboot');
    await advance(world, 1000);
    expect(ready(await world.core.readNode({ name: 'worker-0' }))).toBe('False');
    expect(world.agents.running()).toEqual(['worker-1']);
    await advance(world, 60_000);
    const done = await waitFor(world, 'worker-0', (a) => a[A.state] === 'Done', 'Done');
    expect(done).toMatchObject({ [A.currentImage]: NEW, [A.stateImage]: NEW, [A.reason]: '' });
    expect(done[A.bootId]).not.toBe(before);
    expect(done[A.reboot]).toBeUndefined();
    expect(ready(await world.core.readNode({ name: 'worker-0' }))).toBe('True');
    expect(world.agents.running()).toEqual(['worker-0', 'worker-1']);
    await world.core.patchNode({ name: 'worker-0', body: { spec: { unschedulable: false } } }, merge);

    expect(kinds(world.fleet, 'worker-0')).toEqual([
      'desired-image',
      'working',
      'working',
      'cordon',
      'desired',
      'reboot',
      'ready',
      'done',
      'uncordon',
    ]);
    expect(world.fleet.checkInvariants().violations).toEqual([]);
  });

  it('rolls back through the rollback deployment (no download) to the previous image', async () => {
    const world = await setup(2);
    expect(await update(world, 'worker-0', NEW)).toMatchObject({ [A.state]: 'Done', [A.currentImage]: NEW });
    const back = await update(world, 'worker-0', OLD);
    expect(back).toMatchObject({ [A.state]: 'Done', [A.currentImage]: OLD });
    expect(world.agents.host('worker-0').history).toEqual([`stage ${NEW}`, 'reboot', 'rollback', 'reboot']);
    expect(world.fleet.checkInvariants().violations).toEqual([]);
  });

  it('records a violation when a reboot is requested on a node that was not drained', async () => {
    const world = await setup(1);
    await annotate(world, 'worker-0', { [A.desiredImage]: NEW });
    await hostRan(world, 'worker-0', `stage ${NEW}`);
    await advance(world, 30_000);
    await waitFor(world, 'worker-0', (a) => a[A.state] === 'Staged', 'Staged');
    await annotate(world, 'worker-0', { [A.reboot]: NEW });
    const details = world.fleet.timeline.events.filter((e) => e.kind === 'violation').map((e) => e.detail);
    expect(details[0]).toBe('reboot requested while the node is schedulable (not cordoned)');
    expect(details[1]).toMatch(/^reboot requested while \d evictable pod\(s\) still run on the node/);
  });
});

describe('host faults end Degraded with their own reason', () => {
  const faults: AgentFaults = {
    pullFailure: { nodes: ['worker-0'] },
    authFailure: { nodes: ['worker-1'] },
    wrongDigest: { nodes: ['worker-2'] },
    stagingHang: { nodes: ['worker-3'] },
  };
  const digest = `sha256:${'b'.repeat(64)}`;

  it('a failed pull, a refused login, a wrong boot and a hung staging', async () => {
    const world = await setup(4, { faults });
    for (const node of ['worker-0', 'worker-1', 'worker-3'])
      await annotate(world, node, { [A.desiredImage]: NEW });
    await advance(world, 6000);
    const pull = await waitFor(world, 'worker-0', (a) => a[A.state] === 'Degraded', 'Degraded');
    expect(pull[A.reason]).toBe(
      `pull failed: error: Switching: Pulling: Creating importer: failed to invoke method OpenImage: reading manifest ${digest} in quay.io/acme/os: manifest unknown`,
    );
    const auth = await waitFor(world, 'worker-1', (a) => a[A.state] === 'Degraded', 'Degraded');
    expect(auth[A.reason]).toBe(
      `registry auth failed: error: Switching: Pulling: Creating importer: failed to invoke method OpenImage: reading manifest ${digest} in quay.io/acme/os: unauthorized: authentication required`,
    );

    const wrong = await update(world, 'worker-2', NEW);
    expect(wrong).toMatchObject({
      [A.state]: 'Degraded',
      [A.currentImage]: OLD,
      [A.reason]: `booted digest differs: booted ${OLD}, expected ${NEW}`,
    });

    expect(annotations(await world.core.readNode({ name: 'worker-3' }))[A.state]).toBe('Staging');
    await advance(world, 12 * 60_000, 30_000);
    const hung = await waitFor(world, 'worker-3', (a) => a[A.state] === 'Degraded', 'Degraded');
    expect(hung[A.reason]).toBe('timeout in Staging after 720s');

    // Not retried while the desired image stays.
    const history = world.agents.host('worker-0').history.length;
    await advance(world, 30 * 60_000, 60_000);
    expect(world.agents.host('worker-0').history.length).toBe(history);
    expect(annotations(await world.core.readNode({ name: 'worker-0' }))[A.state]).toBe('Degraded');
    expect(world.fleet.checkInvariants().violations).toEqual([]);
  });

  it('a retry request starts a Degraded node over; a rollback of the desired image ends it Done', async () => {
    const world = await setup(1, { faults: { pullFailure: { nodes: ['worker-0'] } } });
    await annotate(world, 'worker-0', { [A.desiredImage]: NEW });
    await hostRan(world, 'worker-0', `stage ${NEW}`);
    await advance(world, 6000);
    await waitFor(world, 'worker-0', (a) => a[A.state] === 'Degraded', 'Degraded');
    await annotate(world, 'worker-0', { [A.retry]: NEW });
    await waitFor(
      world,
      'worker-0',
      (a) => a[A.state] === 'Staging' && a[A.retry] === undefined,
      'Staging again',
    );
    await hostRan(world, 'worker-0', `stage ${NEW}`, 2);
    await advance(world, 6000);
    await waitFor(world, 'worker-0', (a) => a[A.state] === 'Degraded', 'Degraded again');
    expect(world.agents.host('worker-0').history).toEqual([`stage ${NEW}`, `stage ${NEW}`]);
    await annotate(world, 'worker-0', { [A.desiredImage]: OLD });
    expect(await waitFor(world, 'worker-0', (a) => a[A.state] === 'Done', 'Done')).toMatchObject({
      [A.currentImage]: OLD,
      [A.reason]: '',
    });
  });
});

describe('an agent crash mid-update resumes from the annotations and the host', () => {
  it('at Staging, Staged, Rebooting and Done: one staging completes, one real reboot, Done on the target', async () => {
    const world = await setup(2);
    const host = world.agents.host('worker-0');

    await annotate(world, 'worker-0', { [A.desiredImage]: NEW });
    await hostRan(world, 'worker-0', `stage ${NEW}`);
    await advance(world, 10_000);
    await world.agents.restartAgent('worker-0'); // crash while staging: staged again from the start
    await hostRan(world, 'worker-0', `stage ${NEW}`, 2);
    await advance(world, 30_000);
    await waitFor(world, 'worker-0', (a) => a[A.state] === 'Staged', 'Staged');
    expect(host.history).toEqual([`stage ${NEW}`, `stage ${NEW}`]);

    await world.agents.restartAgent('worker-0'); // crash while Staged: stays Staged, nothing redone
    await advance(world, 60_000);
    expect(annotations(await world.core.readNode({ name: 'worker-0' }))[A.state]).toBe('Staged');
    expect(host.history).toHaveLength(2);

    await drainAndRequestReboot(world, 'worker-0', NEW);
    await waitFor(world, 'worker-0', (a) => a[A.state] === 'Rebooting', 'Rebooting');
    await world.agents.restartAgent('worker-0'); // crash after entering Rebooting, before the reboot happens
    await hostRan(world, 'worker-0', 'reboot');
    await advance(world, 62_000);
    const done = await waitFor(world, 'worker-0', (a) => a[A.state] === 'Done', 'Done');
    expect(done[A.currentImage]).toBe(NEW);
    expect(kinds(world.fleet, 'worker-0').filter((k) => k === 'reboot')).toHaveLength(1);

    await world.agents.restartAgent('worker-0'); // crash when Done: nothing happens
    await advance(world, 60_000);
    expect(annotations(await world.core.readNode({ name: 'worker-0' }))).toMatchObject({
      [A.state]: 'Done',
      [A.currentImage]: NEW,
    });
    expect(host.history.filter((h) => h !== 'reboot')).toEqual([`stage ${NEW}`, `stage ${NEW}`]);
  });

  it('killed while the host reboots into the image: the next boot verifies and reports Done', async () => {
    const world = await setup(2);
    await annotate(world, 'worker-0', { [A.desiredImage]: NEW });
    await hostRan(world, 'worker-0', `stage ${NEW}`);
    await advance(world, 30_000);
    await waitFor(world, 'worker-0', (a) => a[A.state] === 'Staged', 'Staged');
    await drainAndRequestReboot(world, 'worker-0', NEW);
    await waitFor(world, 'worker-0', (a) => a[A.state] === 'Rebooting', 'Rebooting');
    await hostRan(world, 'worker-0', 'reboot');
    await world.agents.killAgent('worker-0');
    await advance(world, 1000); // the host goes down with no agent
    await advance(world, 60_000); // …and comes back: a new agent starts with the new boot
    expect(await waitFor(world, 'worker-0', (a) => a[A.state] === 'Done', 'Done')).toMatchObject({
      [A.currentImage]: NEW,
    });
  });
});
