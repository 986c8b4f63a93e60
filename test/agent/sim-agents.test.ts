/**
 * The real agent on simulated nodes (sim/agents.ts): each node's agent is agent/agent.ts with the
 * client-node node port, against a simulated cluster's API server, with a simulated host. The test plays
 * the control plane through the API: set the desired image, wait for Staged, cordon and drain, ask for
 * the reboot, wait for Done, uncordon. The manual clock moves simulated time.
 */
import { CoreV1Api, PatchStrategy, setHeaderOptions, type V1Node } from '@kubernetes/client-node';
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

const EPOCH = Date.parse('2026-06-01T00:00:00Z');
const OLD = `quay.io/acme/os@sha256:${'a'.repeat(64)}`;
const NEW = `quay.io/acme/os@sha256:${'b'.repeat(64)}`;
const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

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
  const core = cluster.kubeConfig().makeApiClient(CoreV1Api);
  const world = { fleet, agents, core };
  for (let i = 0; i < nodes; i++)
    await waitFor(world, `worker-${i}`, (a) => a[A.state] === 'Done', 'Done at start');
  return world;
}

type World = { fleet: Fleet; agents: NodeAgents; core: CoreV1Api };
const annotations = (node: V1Node) => node.metadata?.annotations ?? {};
const ready = (node: V1Node) => node.status?.conditions?.find((c) => c.type === 'Ready')?.status;

/** Waits (real time, the agents working over HTTP) until the node's annotations pass `check`. */
async function waitFor(
  { core, agents }: World,
  name: string,
  check: (a: Record<string, string>) => boolean,
  what: string,
): Promise<Record<string, string>> {
  let last: Record<string, string> = {};
  for (let i = 0; i < 400; i++) {
    await agents.idle();
    last = annotations(await core.readNode({ name }));
    if (check(last)) return last;
    await new Promise((r) => setTimeout(r, 15));
  }
  throw new Error(`${name} never reached ${what}; last annotations ${JSON.stringify(last)}`);
}

/** Moves simulated time in steps, letting the agents react between them. */
async function advance({ fleet, agents }: World, ms: number, step = 1000): Promise<void> {
  for (let done = 0; done < ms; done += step) {
    await fleet.advance(Math.min(step, ms - done));
    await agents.idle();
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Waits until the node's host has run `count` commands matching `command` (the agent acts over HTTP). */
async function hostRan({ agents }: World, name: string, command: string, count = 1): Promise<void> {
  for (let i = 0; i < 400; i++) {
    await agents.idle();
    if (agents.host(name).history.filter((h) => h === command).length >= count) return;
    await new Promise((r) => setTimeout(r, 15));
  }
  throw new Error(
    `${name}'s host never ran "${command}" ${count} time(s): ${agents.host(name).history.join(', ')}`,
  );
}

const annotate = ({ core }: World, name: string, values: Record<string, string | null>) =>
  core.patchNode({ name, body: { metadata: { annotations: values } } }, merge);

/** The control plane's part: cordon, evict every non-DaemonSet pod (PDB permitting), then ask for the reboot. */
async function drainAndRequestReboot(world: World, name: string, image: string): Promise<void> {
  const { core } = world;
  await core.patchNode({ name, body: { spec: { unschedulable: true } } }, merge);
  for (let round = 0; round < 20; round++) {
    const pods = (
      await core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${name}` })
    ).items.filter((p) => p.metadata?.ownerReferences?.[0]?.kind !== 'DaemonSet');
    if (pods.length === 0) break;
    for (const pod of pods) {
      const { name: pod_, namespace } = pod.metadata as { name: string; namespace: string };
      await core
        .createNamespacedPodEviction({ name: pod_, namespace, body: { metadata: { name: pod_, namespace } } })
        .catch(() => undefined); // PDB: try again once the evicted one is back
    }
    await advance(world, 5000);
  }
  await annotate(world, name, { [A.reboot]: image });
}

/** A whole update of one node, as the `agent` driver does it. */
async function update(world: World, name: string, image: string): Promise<Record<string, string>> {
  const host = world.agents.host(name);
  const commands = host.history.length;
  await annotate(world, name, { [A.desiredImage]: image });
  for (let i = 0; i < 400 && host.history.length === commands; i++)
    await new Promise((r) => setTimeout(r, 15));
  await advance(world, 30_000);
  await waitFor(world, name, (a) => a[A.state] === 'Staged', 'Staged');
  const reboots = host.history.filter((h) => h === 'reboot').length;
  await drainAndRequestReboot(world, name, image);
  await waitFor(world, name, (a) => a[A.state] === 'Rebooting', 'Rebooting');
  await hostRan(world, name, 'reboot', reboots + 1);
  await advance(world, 61_000);
  const done = await waitFor(
    world,
    name,
    (a) => a[A.state] === 'Done' || a[A.state] === 'Degraded',
    'the end',
  );
  await world.core.patchNode({ name, body: { spec: { unschedulable: false } } }, merge);
  return done;
}

const kinds = (fleet: Fleet, node: string) =>
  fleet.timeline.events.filter((e) => e.node === node && e.kind !== 'eviction').map((e) => e.kind);

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
