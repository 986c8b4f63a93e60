import {
  ApiException,
  CoreV1Api,
  PatchStrategy,
  PolicyV1Api,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { type Fleet, startFleet } from '../../sim/index.ts';
import { smallScenario } from './support.ts';

const strategic = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);

let fleet: Fleet | undefined;
afterEach(async () => {
  await fleet?.stop();
  fleet = undefined;
});

async function setup(overrides = {}) {
  fleet = await startFleet(smallScenario(overrides), { clock: 'manual' });
  const kc = fleet.cluster('c1').kubeConfig();
  return { fleet, core: kc.makeApiClient(CoreV1Api), policy: kc.makeApiClient(PolicyV1Api) };
}

function evict(core: CoreV1Api, namespace: string, name: string) {
  return core.createNamespacedPodEviction({
    name,
    namespace,
    body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace } },
  });
}

describe('pods/eviction', () => {
  it('evicts while the PDB allows it, then answers 429 with the DisruptionBudget cause', async () => {
    const { fleet, core, policy } = await setup();
    const pods = (await core.listNamespacedPod({ namespace: 'shop' })).items;
    expect(pods).toHaveLength(3);

    await evict(core, 'shop', pods[0]!.metadata!.name!);
    const blocked = await evict(core, 'shop', pods[1]!.metadata!.name!).catch((e: unknown) => e);

    expect(blocked).toBeInstanceOf(ApiException);
    const error = blocked as ApiException<string>;
    expect(error.code).toBe(429);
    expect(JSON.parse(error.body)).toMatchObject({
      kind: 'Status',
      status: 'Failure',
      reason: 'TooManyRequests',
      message: "Cannot evict pod as it would violate the pod's disruption budget.",
      details: {
        causes: [
          {
            reason: 'DisruptionBudget',
            message: 'The disruption budget web-pdb needs 2 healthy pods and has 2 currently',
          },
        ],
      },
      code: 429,
    });
    const pdb = await policy.readNamespacedPodDisruptionBudget({ name: 'web-pdb', namespace: 'shop' });
    expect(pdb.status).toMatchObject({ currentHealthy: 2, desiredHealthy: 2, disruptionsAllowed: 0 });
    expect(fleet.timeline.events.map((e) => e.kind)).toEqual(['eviction', 'eviction-blocked']);
  });

  it('brings an evicted pod back on another schedulable node after the return delay', async () => {
    const { fleet, core, policy } = await setup();
    const original = (await core.listNamespacedPod({ namespace: 'shop' })).items;
    const victim = original[0]!;
    const from = victim.spec!.nodeName!;
    await core.patchNode({ name: 'worker-3', body: { spec: { unschedulable: true } } }, strategic);

    await evict(core, 'shop', victim.metadata!.name!);
    expect((await core.listNamespacedPod({ namespace: 'shop' })).items).toHaveLength(2);
    await fleet.advance(5000);

    const pods = (await core.listNamespacedPod({ namespace: 'shop' })).items;
    expect(pods).toHaveLength(3);
    const replacement = pods.find((p) => !original.some((o) => o.metadata?.uid === p.metadata?.uid));
    expect(replacement?.spec?.nodeName).toBeDefined();
    expect([from, 'worker-3']).not.toContain(replacement!.spec!.nodeName);
    const pdb = await policy.readNamespacedPodDisruptionBudget({ name: 'web-pdb', namespace: 'shop' });
    expect(pdb.status?.disruptionsAllowed).toBe(1);
  });

  it('lists pods per node with a field selector; a drain leaves the DaemonSet pod in place', async () => {
    const { core } = await setup();
    const onNode = async () =>
      (
        await core.listPodForAllNamespaces({
          fieldSelector: 'spec.nodeName=worker-0,status.phase!=Succeeded',
        })
      ).items;
    const before = await onNode();
    expect(before.some((p) => p.metadata?.ownerReferences?.[0]?.kind === 'DaemonSet')).toBe(true);

    for (const pod of before.filter((p) => p.metadata?.ownerReferences?.[0]?.kind !== 'DaemonSet'))
      await evict(core, pod.metadata!.namespace!, pod.metadata!.name!);

    const after = await onNode();
    expect(after.map((p) => p.metadata?.ownerReferences?.[0]?.kind)).toEqual(['DaemonSet']);
  });

  it('deletes a pod (it comes back later) and answers 404 for an unknown pod', async () => {
    const { fleet, core } = await setup();
    const pod = (await core.listNamespacedPod({ namespace: 'shop' })).items[0]!;
    await core.deleteNamespacedPod({ name: pod.metadata!.name!, namespace: 'shop' });
    expect((await core.listNamespacedPod({ namespace: 'shop' })).items).toHaveLength(2);
    await fleet.advance(5000);
    expect((await core.listNamespacedPod({ namespace: 'shop' })).items).toHaveLength(3);

    const missing = await evict(core, 'shop', 'nope').catch((e: ApiException<string>) => e);
    expect((missing as ApiException<string>).code).toBe(404);
  });

  it('holds a PDB blocked by a fault for a while, then allows evictions again', async () => {
    const { fleet, core, policy } = await setup({
      faults: { pdbBlock: [{ cluster: 'c1', namespace: 'shop', name: 'web-pdb', for: '30s' }] },
    });
    const pod = (await core.listNamespacedPod({ namespace: 'shop' })).items[0]!;

    const blocked = await evict(core, 'shop', pod.metadata!.name!).catch((e: ApiException<string>) => e);
    expect((blocked as ApiException<string>).code).toBe(429);
    await fleet.advance(30_000);

    expect(
      (await policy.readNamespacedPodDisruptionBudget({ name: 'web-pdb', namespace: 'shop' })).status
        ?.disruptionsAllowed,
    ).toBe(1);
    await evict(core, 'shop', pod.metadata!.name!);
    expect((await core.listNamespacedPod({ namespace: 'shop' })).items).toHaveLength(2);
  });
});
