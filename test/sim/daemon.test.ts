import {
  type ApiException,
  CoreV1Api,
  PatchStrategy,
  setHeaderOptions,
  type V1Node,
  Watch,
} from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { NodeAnnotations as A } from '../../functions/core/model.ts';
import { type Fleet, type ScenarioInput, startFleet } from '../../sim/index.ts';
import { newImage, rawRequest, smallScenario } from './support.ts';

const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

let fleet: Fleet | undefined;
afterEach(async () => {
  await fleet?.stop();
  fleet = undefined;
});

async function setup(overrides: Partial<ScenarioInput> = {}) {
  fleet = await startFleet(smallScenario(overrides), { clock: 'manual' });
  return { fleet, core: fleet.cluster('c1').kubeConfig().makeApiClient(CoreV1Api) };
}

/** Cordon and drain a node the way a control plane does, then ask for the new config and image. */
async function drainAndUpdate(core: CoreV1Api, fleet: Fleet, node: string, config = 'rendered-worker-new') {
  await core.patchNode({ name: node, body: { spec: { unschedulable: true } } }, merge);
  const pods = await core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${node}` });
  for (const pod of pods.items) {
    if (pod.metadata?.ownerReferences?.[0]?.kind === 'DaemonSet') continue;
    const { name, namespace } = pod.metadata as { name: string; namespace: string };
    await core.createNamespacedPodEviction({ name, namespace, body: { metadata: { name, namespace } } });
    await fleet.advance(5000); // let it come back elsewhere before the next one (PDB)
  }
  await core.patchNode(
    {
      name: node,
      body: { metadata: { annotations: { [A.desiredConfig]: config, [A.desiredImage]: newImage } } },
    },
    merge,
  );
}

const annotations = (node: V1Node) => node.metadata?.annotations ?? {};
const ready = (node: V1Node) => node.status?.conditions?.find((c) => c.type === 'Ready')?.status;
const kindsOf = (fleet: Fleet, node: string) =>
  fleet.timeline.events.filter((e) => e.node === node).map((e) => e.kind);

describe('node daemon', () => {
  it('rebases, reboots and reports Done with the new config and image', async () => {
    const { fleet, core } = await setup();
    await drainAndUpdate(core, fleet, 'worker-0');

    await fleet.advance(1000);
    expect(annotations(await core.readNode({ name: 'worker-0' }))[A.state]).toBe('Working');
    await fleet.advance(12_000);
    const rebooting = await core.readNode({ name: 'worker-0' });
    expect(ready(rebooting)).toBe('False');
    await fleet.advance(24_000);

    const done = await core.readNode({ name: 'worker-0' });
    expect(ready(done)).toBe('True');
    expect(annotations(done)).toMatchObject({
      [A.state]: 'Done',
      [A.reason]: '',
      [A.currentConfig]: 'rendered-worker-new',
      [A.currentImage]: newImage,
    });
    expect(kindsOf(fleet, 'worker-0').filter((k) => k !== 'eviction')).toEqual([
      'cordon',
      'desired',
      'working',
      'reboot',
      'ready',
      'done',
    ]);
    expect(fleet.timeline.events.some((e) => e.kind === 'violation')).toBe(false);
  });

  it('records a protocol violation when a node is told to update while schedulable and not drained', async () => {
    const { fleet, core } = await setup();
    await core.patchNode(
      { name: 'worker-0', body: { metadata: { annotations: { [A.desiredConfig]: 'rendered-worker-new' } } } },
      merge,
    );

    const violations = fleet.timeline.events.filter((e) => e.kind === 'violation').map((e) => e.detail);
    expect(violations).toHaveLength(2);
    expect(violations[0]).toContain('schedulable (not cordoned)');
    expect(violations[1]).toMatch(/evictable pod\(s\) still run on the node \(not drained\): shop\/web-/);
  });

  it('ends in Degraded with a reason when the update fails, and is not retried until the target changes', async () => {
    const { fleet, core } = await setup({ faults: { updateFailure: { nodes: ['worker-1'] } } });
    await drainAndUpdate(core, fleet, 'worker-1');
    await fleet.advance(60_000);

    const node = await core.readNode({ name: 'worker-1' });
    expect(annotations(node)[A.state]).toBe('Degraded');
    expect(annotations(node)[A.reason]).toMatch(
      /^failed to update OS to quay\.io\/acme\/rhcos@sha256:b+: error running rpm-ostree rebase/,
    );
    expect(annotations(node)[A.currentImage]).not.toBe(newImage);
    expect(ready(node)).toBe('True');
    expect(kindsOf(fleet, 'worker-1').slice(-2)).toEqual(['working', 'degraded']);

    // Rollback: desired back to the current config and image → Done without a reboot.
    const current = annotations(node);
    await core.patchNode(
      {
        name: 'worker-1',
        body: {
          metadata: {
            annotations: {
              [A.desiredConfig]: current[A.currentConfig]!,
              [A.desiredImage]: current[A.currentImage]!,
            },
          },
        },
      },
      merge,
    );
    await fleet.advance(2000);
    expect(annotations(await core.readNode({ name: 'worker-1' }))).toMatchObject({
      [A.state]: 'Done',
      [A.reason]: '',
    });
    expect(kindsOf(fleet, 'worker-1').slice(-2)).toEqual(['desired', 'done']);
  });

  it('reports Unreconcilable for a refused update', async () => {
    const { fleet, core } = await setup({ faults: { unreconcilable: { nodes: ['worker-2'] } } });
    await drainAndUpdate(core, fleet, 'worker-2');
    await fleet.advance(2000);

    const node = await core.readNode({ name: 'worker-2' });
    expect(annotations(node)[A.state]).toBe('Unreconcilable');
    expect(annotations(node)[A.reason]).toMatch(
      /^can't reconcile config rendered-worker-[0-9a-f]+ with rendered-worker-new: /,
    );
  });

  it('comes back Ready on the old image, Degraded, when the new image does not boot', async () => {
    const { fleet, core } = await setup({ faults: { imageNoBoot: { nodes: ['worker-3'] } } });
    const before = annotations(await core.readNode({ name: 'worker-3' }));
    await drainAndUpdate(core, fleet, 'worker-3');
    await fleet.advance(60_000);

    const node = await core.readNode({ name: 'worker-3' });
    expect(ready(node)).toBe('True');
    expect(annotations(node)).toMatchObject({
      [A.state]: 'Degraded',
      [A.currentImage]: before[A.currentImage],
      [A.currentConfig]: before[A.currentConfig],
      [A.desiredImage]: newImage,
    });
    expect(annotations(node)[A.reason]).toContain(
      `expected target osImageURL "${newImage}", have "${before[A.currentImage]}"`,
    );
    expect(kindsOf(fleet, 'worker-3').slice(-4)).toEqual(['working', 'reboot', 'ready', 'degraded']);
  });

  it('fails a given share of updates with a probability, the same nodes for the same seed', async () => {
    const failedWith = async (seed: number) => {
      const scenario = smallScenario({ seed, faults: { updateFailure: { nodes: [], probability: 0.5 } } });
      scenario.clusters[0]!.pools[0]!.nodes.count = 20;
      scenario.clusters[0]!.workloads = [];
      fleet = await startFleet(scenario, { clock: 'manual' });
      const core = fleet.cluster('c1').kubeConfig().makeApiClient(CoreV1Api);
      for (let i = 0; i < 20; i++)
        await core.patchNode(
          {
            name: `worker-${i}`,
            body: { metadata: { annotations: { [A.desiredConfig]: 'rendered-worker-new' } } },
          },
          merge,
        );
      await fleet.advance(60_000);
      const failed = fleet.timeline.events.filter((e) => e.kind === 'degraded').map((e) => e.node);
      await fleet.stop();
      return failed;
    };
    const first = await failedWith(11);
    expect(await failedWith(11)).toEqual(first);
    // 20 draws at p=0.5: anything outside 3..17 would be a broken generator (p < 0.0003).
    expect(first.length).toBeGreaterThanOrEqual(3);
    expect(first.length).toBeLessThanOrEqual(17);
    expect(await failedWith(12)).not.toEqual(first);
  });
});

describe('fleet faults', () => {
  it('adds a node booting the pool base config and image, and removes a node', async () => {
    const { fleet, core } = await setup();
    const base = annotations(await core.readNode({ name: 'worker-0' }));

    const added = fleet.addNode('c1', 'worker');
    fleet.removeNode('c1', 'worker-1');

    expect(added).toBe('worker-4');
    const node = await core.readNode({ name: added });
    expect(annotations(node)).toMatchObject({
      [A.currentConfig]: base[A.currentConfig],
      [A.currentImage]: base[A.currentImage],
      [A.state]: 'Done',
    });
    const names = (await core.listNode()).items.map((n) => n.metadata?.name);
    expect(names).toEqual(['worker-0', 'worker-2', 'worker-3', 'worker-4']);
    expect(fleet.timeline.events.map((e) => `${e.kind} ${e.node}`)).toEqual([
      'added worker-4',
      'removed worker-1',
    ]);
  });

  it('makes nodes NotReady on their own and adds nodes at scheduled times', async () => {
    const { fleet, core } = await setup({
      faults: {
        nodeNotReady: [{ cluster: 'c1', node: 'worker-2', at: '1m', for: '30s' }],
        nodeChanges: [{ cluster: 'c1', pool: 'worker', at: '2m', add: 2 }],
      },
    });
    await fleet.advance(60_000);
    expect(ready(await core.readNode({ name: 'worker-2' }))).toBe('False');
    await fleet.advance(30_000);
    expect(ready(await core.readNode({ name: 'worker-2' }))).toBe('True');
    await fleet.advance(30_000);

    expect((await core.listNode()).items).toHaveLength(6);
    expect(fleet.timeline.events.map((e) => [e.t, e.kind, e.node, e.fault])).toEqual([
      [60_000, 'not-ready', 'worker-2', true],
      [90_000, 'ready', 'worker-2', true],
      [120_000, 'added', 'worker-4', true],
      [120_000, 'added', 'worker-5', true],
    ]);
  });

  it('answers API requests with 429 + Retry-After or 500 at the configured error rate', async () => {
    const { fleet, core } = await setup({
      faults: { api: { errorRate: 1, errors: ['429'], retryAfterSeconds: 3 } },
    });
    const c = fleet.cluster('c1');

    const raw = await rawRequest(c, '/api/v1/nodes', { Authorization: `Bearer ${c.token}` });
    expect(raw.status).toBe(429);
    expect(raw.headers['retry-after']).toBe('3');
    expect(JSON.parse(raw.body)).toMatchObject({
      reason: 'TooManyRequests',
      details: { retryAfterSeconds: 3 },
    });
    // Discovery is never faulted.
    expect((await rawRequest(c, '/api', { Authorization: `Bearer ${c.token}` })).status).toBe(200);

    fleet.injectFault({
      api: { errorRate: 1, errors: ['500'], retryAfterSeconds: 1, timeoutMs: 100, latencyMs: [0, 0] },
    });
    const error = await core.listNode().catch((e: ApiException<string>) => e);
    expect((error as ApiException<string>).code).toBe(500);
  });

  it('drops requests that time out', async () => {
    const { fleet } = await setup({ faults: { api: { errorRate: 1, errors: ['timeout'], timeoutMs: 50 } } });
    const c = fleet.cluster('c1');
    await expect(rawRequest(c, '/api/v1/nodes', { Authorization: `Bearer ${c.token}` })).rejects.toThrow(
      /socket hang up|ECONNRESET/,
    );
  });

  it('disconnects watches: the client sees its watch end', async () => {
    const { fleet } = await setup();
    const watch = new Watch(fleet.cluster('c1').kubeConfig());
    let opened = 0;
    const ended = new Promise<void>((resolve) => {
      void watch.watch(
        '/api/v1/nodes',
        {},
        () => opened++,
        () => resolve(),
      );
    });
    await new Promise((r) => setTimeout(r, 100));
    expect(opened).toBe(4); // ADDED for the current nodes

    expect(fleet.disconnectWatches('c1')).toBe(1);
    await ended;
  });
});
