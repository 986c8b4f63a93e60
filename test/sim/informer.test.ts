import {
  CoreV1Api,
  CustomObjectsApi,
  type KubernetesObject,
  makeInformer,
  PatchStrategy,
  setHeaderOptions,
  type V1Node,
} from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { NodeAnnotations as A } from '../../functions/core/model.ts';
import { type Fleet, startFleet } from '../../sim/index.ts';
import { newImage, smallScenario } from './support.ts';

const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

let fleet: Fleet | undefined;
afterEach(async () => {
  await fleet?.stop();
  fleet = undefined;
});

describe('with the real-time clock and a client-node informer', () => {
  it('sees a node go through Working, NotReady and Done, and resumes from its resourceVersion after a watch disconnect', async () => {
    // timeScale 1000: react 1 s + rebase ≤ 12 s + reboot ≤ 24 s of simulated time take ≤ 40 ms.
    fleet = await startFleet(smallScenario(), { timeScale: 1000 });
    const kc = fleet.cluster('c1').kubeConfig();
    const core = kc.makeApiClient(CoreV1Api);
    const informer = makeInformer(kc, '/api/v1/nodes', () => core.listNode());
    const seen: string[] = [];
    const done = new Promise<void>((resolve) => {
      informer.on('update', (node: V1Node) => {
        if (node.metadata?.name !== 'worker-0') return;
        const ready = node.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
        const step = `${node.metadata.annotations?.[A.state]}${ready ? '' : '/NotReady'}`;
        if (seen.at(-1) !== step) seen.push(step);
        if (step === 'Done' && node.metadata.annotations?.[A.currentImage] === newImage) resolve();
      });
    });
    await informer.start();

    await core.patchNode({ name: 'worker-0', body: { spec: { unschedulable: true } } }, merge);
    fleet.disconnectWatches('c1'); // the informer re-watches from its last resourceVersion
    await core.patchNode(
      {
        name: 'worker-0',
        body: {
          metadata: { annotations: { [A.desiredConfig]: 'rendered-worker-new', [A.desiredImage]: newImage } },
        },
      },
      merge,
    );
    await done;
    await informer.stop();

    expect(seen).toEqual(['Done', 'Working', 'Working/NotReady', 'Working', 'Done']);
    expect(
      informer.list().find((n) => n.metadata?.name === 'worker-0')?.metadata?.annotations?.[A.currentConfig],
    ).toBe('rendered-worker-new');
  });
});

describe('pool and event watches', () => {
  it('emits MachineConfigPool status changes as nodes update, and relists an informer after 410 Gone', async () => {
    fleet = await startFleet(smallScenario({ apiServer: { watchHistory: 3 } }), { clock: 'manual' });
    const cluster = fleet.cluster('c1');
    const kc = cluster.kubeConfig();
    const core = kc.makeApiClient(CoreV1Api);
    const path = '/apis/machineconfiguration.openshift.io/v1/machineconfigpools';
    const custom = kc.makeApiClient(CustomObjectsApi);
    const listPools = () =>
      custom.listClusterCustomObject({
        group: 'machineconfiguration.openshift.io',
        version: 'v1',
        plural: 'machineconfigpools',
      }) as never;
    const informer = makeInformer<KubernetesObject & { status?: { updatedMachineCount?: number } }>(
      kc,
      path,
      listPools,
    );
    const counts: number[] = [];
    informer.on('update', (pool) => counts.push(pool.status?.updatedMachineCount ?? -1));
    await informer.start();

    await core.patchNode(
      { name: 'worker-0', body: { metadata: { annotations: { [A.desiredConfig]: 'rendered-worker-new' } } } },
      merge,
    );
    await new Promise((r) => setTimeout(r, 50));
    expect(counts.at(-1)).toBe(3);

    // Too many changes while disconnected: the resumed watch gets 410, the informer lists again.
    const seenBefore = counts.length;
    cluster.api.disconnectWatches();
    const base = cluster.state.pools[0]!.baseConfig;
    for (const [name, config] of [
      ['worker-1', 'rendered-worker-new'],
      ['worker-2', 'rendered-worker-new'],
      ['worker-3', 'rendered-worker-new'],
      ['worker-1', base],
      ['worker-1', 'rendered-worker-new'],
    ] as const)
      cluster.state.setNodeAnnotations(name, { [A.desiredConfig]: config });
    for (let i = 0; i < 50 && informer.list()[0]?.status?.updatedMachineCount !== 0; i++)
      await new Promise((r) => setTimeout(r, 20));
    await informer.stop();

    expect(informer.list()[0]?.status?.updatedMachineCount).toBe(0);
    // A relist reports only the final state; a replay would have shown 2, 1, 0, 1, 0.
    expect(counts.slice(seenBefore)).toEqual([0]);
  });
});
