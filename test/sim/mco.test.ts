import { CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { NodeAnnotations as A, RoleLabel } from '../../functions/core/model.ts';
import { type MachineConfig, type MachineConfigPool, renderPool } from '../../functions/core/render/index.ts';
import { type Fleet, type ScenarioInput, startFleet } from '../../sim/index.ts';
import { openshiftScenario, rawRequest, releaseImages, smallScenario } from './support.ts';

const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const MCO = { group: 'machineconfiguration.openshift.io', version: 'v1' };
const layered = `quay.io/acme/rhcos-layered@sha256:${'b'.repeat(64)}`;

// Objects read through the API are loosely typed JSON.
// biome-ignore lint/suspicious/noExplicitAny: see above
type Obj = Record<string, any>;

let fleet: Fleet | undefined;
afterEach(async () => {
  await fleet?.stop();
  fleet = undefined;
});

async function setup(scenario: ScenarioInput = openshiftScenario()) {
  fleet = await startFleet(scenario, { clock: 'manual' });
  const cluster = fleet.cluster('ocp');
  return {
    fleet,
    cluster,
    core: cluster.kubeConfig().makeApiClient(CoreV1Api),
    custom: cluster.kubeConfig().makeApiClient(CustomObjectsApi),
  };
}

/** Advances simulated time in steps until `check` holds (fails after `limitMs`). */
async function until(
  f: Fleet,
  check: () => Promise<boolean> | boolean,
  limitMs = 30 * 60_000,
  stepMs = 1000,
) {
  for (let waited = 0; waited <= limitMs; waited += stepMs) {
    if (await check()) return;
    await f.advance(stepMs);
  }
  throw new Error(`condition not reached within ${limitMs / 1000} s of simulated time`);
}

const pool = async (custom: CustomObjectsApi, name: string): Promise<Obj> =>
  (await custom.getClusterCustomObject({ ...MCO, plural: 'machineconfigpools', name })) as Obj;
const condition = (p: Obj, type: string) => p.status?.conditions?.find((c: Obj) => c.type === type);
/** The pool's status is MCO's verdict on its current spec (observedGeneration caught up), and it is Updated. */
const updated = (p: Obj) =>
  p.status?.observedGeneration === p.metadata.generation && condition(p, 'Updated')?.status === 'True';
const imageLayer = (image: string): Obj => ({
  apiVersion: 'machineconfiguration.openshift.io/v1',
  kind: 'MachineConfig',
  metadata: { name: '99-strata-worker-os-image', labels: { [RoleLabel]: 'worker' } },
  spec: { osImageURL: image },
});

/** Peak of nodes of a pool unavailable at once (cordoned, NotReady or between desired and done). */
const peak = (f: Fleet, poolName: string) =>
  f.checkInvariants().pools.find((p) => p.cluster === 'ocp' && p.pool === poolName)!.peakUnavailable;

describe('an OpenShift cluster running MCO', () => {
  it('serves its release: ControllerConfig, the osimageurl ConfigMap, ClusterVersion; pools rendered from them', async () => {
    const { cluster, core, custom } = await setup();

    const cc = (await custom.getClusterCustomObject({
      ...MCO,
      plural: 'controllerconfigs',
      name: 'machine-config-controller',
    })) as Obj;
    expect(cc.spec.baseOSContainerImage).toBe(releaseImages['4.18.12']);
    expect(cc.spec.baseOSExtensionsContainerImage).toMatch(/@sha256:e1{63}$/);
    expect(cc.spec.releaseImage).toMatch(
      /^quay\.io\/openshift-release-dev\/ocp-release@sha256:[0-9a-f]{64}$/,
    );
    expect(
      cc.metadata.annotations['machineconfiguration.openshift.io/generated-by-controller-version'],
    ).toMatch(/^[0-9a-f]{40}$/);
    expect(cc.status.observedGeneration).toBe(cc.metadata.generation);
    expect(cc.status.conditions.find((c: Obj) => c.type === 'TemplateControllerCompleted').status).toBe(
      'True',
    );

    const cm = await core.readNamespacedConfigMap({
      name: 'machine-config-osimageurl',
      namespace: 'openshift-machine-config-operator',
    });
    expect(cm.data).toMatchObject({
      baseOSContainerImage: releaseImages['4.18.12'],
      releaseVersion: '4.18.12',
    });
    const cv = (await custom.getClusterCustomObject({
      group: 'config.openshift.io',
      version: 'v1',
      plural: 'clusterversions',
      name: 'version',
    })) as Obj;
    expect(cv.status.desired.version).toBe('4.18.12');
    expect(cv.status.history.map((h: Obj) => [h.state, h.version])).toEqual([['Completed', '4.18.12']]);

    // The pool's rendered config is what the render engine makes of the cluster's own objects.
    const mcs = (await custom.listClusterCustomObject({ ...MCO, plural: 'machineconfigs' })) as {
      items: Obj[];
    };
    const worker = await pool(custom, 'worker');
    const expected = renderPool({
      pool: worker as unknown as MachineConfigPool,
      machineConfigs: mcs.items as unknown as MachineConfig[],
      baseOSImage: cc.spec.baseOSContainerImage,
      baseOSExtensionsImage: cc.spec.baseOSExtensionsContainerImage,
    });
    expect(worker.spec.configuration.name).toBe(expected.name);
    expect(worker.status.configuration.name).toBe(expected.name);
    expect(worker.spec.configuration.source.map((s: Obj) => s.name)).toEqual([
      '00-worker',
      '01-worker-container-runtime',
      '01-worker-kubelet',
      '99-worker-generated-registries',
      '99-worker-ssh',
    ]);
    const rendered = mcs.items.find((m) => m.metadata.name === expected.name)!;
    expect(rendered.spec.osImageURL).toBe(releaseImages['4.18.12']);
    expect(rendered.metadata.ownerReferences[0]).toMatchObject({
      kind: 'MachineConfigPool',
      name: 'worker',
      uid: worker.metadata.uid,
    });
    expect(rendered.metadata.labels ?? {}).toEqual({});

    // The custom pool inherits the worker MachineConfigs and owns the nodes that also carry the worker label.
    const infra = await pool(custom, 'infra');
    expect(infra.spec.machineConfigSelector).toEqual({
      matchExpressions: [{ key: RoleLabel, operator: 'In', values: ['worker', 'infra'] }],
    });
    expect(worker.status.machineCount).toBe(5);
    expect(infra.status.machineCount).toBe(2);
    expect(condition(worker, 'Updated').status).toBe('True');

    const node = await core.readNode({ name: 'worker-0' });
    expect(node.metadata?.annotations).toMatchObject({
      [A.currentConfig]: expected.name,
      [A.desiredConfig]: expected.name,
      [A.state]: 'Done',
    });
    expect(node.metadata?.annotations?.[A.desiredImage]).toBeUndefined();
    expect(cluster.state.bootedImage('worker-0')).toBe(releaseImages['4.18.12']);
    // MachineConfigNode is stable from 4.20, not served here.
    const mcn = await rawRequest(cluster, '/apis/machineconfiguration.openshift.io/v1/machineconfignodes', {
      Authorization: `Bearer ${cluster.token}`,
    });
    expect(mcn.status).toBe(404);
  });

  it('rolls an image-layer MachineConfig out at maxUnavailable, to Updated=True on the new rendered config', async () => {
    const { fleet, cluster, custom } = await setup();
    const base = (await pool(custom, 'worker')).spec.configuration.name as string;

    await custom.createClusterCustomObject({ ...MCO, plural: 'machineconfigs', body: imageLayer(layered) });
    await until(fleet, async () => (await pool(custom, 'worker')).spec.configuration.name !== base);

    const target = (await pool(custom, 'worker')).spec.configuration.name as string;
    expect(target).toMatch(/^rendered-worker-[0-9a-f]{32}$/);
    const rendered = (await custom.getClusterCustomObject({
      ...MCO,
      plural: 'machineconfigs',
      name: target,
    })) as Obj;
    expect(rendered.spec.osImageURL).toBe(layered);
    expect(rendered.metadata.annotations).toMatchObject({
      'machineconfiguration.openshift.io/os-image-url-overridden': 'true',
      'machineconfiguration.openshift.io/release-image-version': '4.18.12',
    });
    await until(fleet, async () => updated(await pool(custom, 'worker')));

    const done = await pool(custom, 'worker');
    expect(done.status.configuration.name).toBe(target);
    expect(done.status).toMatchObject({ machineCount: 5, updatedMachineCount: 5, degradedMachineCount: 0 });
    for (let i = 0; i < 5; i++) {
      const node = cluster.state.nodes.get(undefined, `worker-${i}`)!;
      expect(node.annotations[A.currentConfig]).toBe(target);
      expect(node.annotations[A.desiredImage]).toBeUndefined();
      expect(node.unschedulable).toBe(false);
      expect(cluster.state.bootedImage(`worker-${i}`)).toBe(layered);
    }
    // The infra pool selects the worker MachineConfigs too: it followed.
    await until(fleet, async () => updated(await pool(custom, 'infra')));
    expect(cluster.state.bootedImage('infra-0')).toBe(layered);
    expect(peak(fleet, 'worker')).toBe(2);
    expect(peak(fleet, 'infra')).toBe(1);
    const report = fleet.checkInvariants();
    expect(report.violations).toEqual([]);
    expect(cluster.mco!.errors()).toEqual([]);
    // MCO's drains are the evictions: every worker pod moved without a PDB breach.
    const reasons = cluster.state.events.list().map((e) => (e.object as Obj).reason);
    expect(reasons).toEqual(
      expect.arrayContaining(['Cordon', 'Drain', 'Reboot', 'NodeDone', 'SetDesiredConfig']),
    );

    // Deleting the MachineConfig takes the pool back to its base config and image.
    await custom.deleteClusterCustomObject({
      ...MCO,
      plural: 'machineconfigs',
      name: '99-strata-worker-os-image',
    });
    await until(fleet, async () => {
      const p = await pool(custom, 'worker');
      return p.spec.configuration.name === base && updated(p);
    });
    expect(cluster.state.bootedImage('worker-3')).toBe(releaseImages['4.18.12']);
    // The rendered config of the layered image is kept: MCO never deletes rendered configs.
    expect(cluster.state.machineConfigs.get(undefined, target)).toBeDefined();
    expect(fleet.checkInvariants().violations).toEqual([]);
  });

  it('stops giving nodes the target while the pool is paused, and says so in its status', async () => {
    const { fleet, cluster, custom } = await setup(openshiftScenario({ workerMaxUnavailable: 1 }));
    await custom.createClusterCustomObject({ ...MCO, plural: 'machineconfigs', body: imageLayer(layered) });
    // Wait for the first node to be targeted, then pause.
    const targeted = () =>
      cluster.state.nodes
        .list()
        .filter(
          (n) =>
            n.pool === 'worker' &&
            n.annotations[A.desiredConfig] === cluster.state.poolTarget('worker').config,
        )
        .map((n) => n.name);
    await until(fleet, () => cluster.state.poolTarget('worker').image === layered && targeted().length === 1);
    await custom.patchClusterCustomObject(
      { ...MCO, plural: 'machineconfigpools', name: 'worker', body: { spec: { paused: true } } },
      merge,
    );
    await fleet.advance(10 * 60_000);

    expect(targeted()).toHaveLength(1);
    const paused = await pool(custom, 'worker');
    expect(condition(paused, 'Updating')).toMatchObject({
      status: 'False',
      message: `Pool is paused; will not update to MachineConfig ${paused.spec.configuration.name}`,
    });
    expect(condition(paused, 'Updated').status).toBe('False');
    expect(paused.status.updatedMachineCount).toBe(1);

    await custom.patchClusterCustomObject(
      { ...MCO, plural: 'machineconfigpools', name: 'worker', body: { spec: { paused: false } } },
      merge,
    );
    await until(fleet, async () => updated(await pool(custom, 'worker')));
    expect(targeted()).toHaveLength(5);
    expect(peak(fleet, 'worker')).toBe(1);
    expect(fleet.checkInvariants().violations).toEqual([]);
  });

  it('resets a desiredConfig written from outside on an unpaused pool: a ping-pong the checker reports', async () => {
    const { fleet, cluster, core, custom } = await setup();
    const base = (await pool(custom, 'worker')).spec.configuration.name as string;
    // An outsider renders its own config and points a node at it, as Strata did before the mco driver.
    const foreign = structuredClone(cluster.state.machineConfigs.get(undefined, base)!.object) as Obj;
    foreign.metadata = { name: 'rendered-worker-strata', annotations: {} };
    foreign.spec.osImageURL = layered;
    await custom.createClusterCustomObject({ ...MCO, plural: 'machineconfigs', body: foreign });
    await core.patchNode(
      {
        name: 'worker-1',
        body: { metadata: { annotations: { [A.desiredConfig]: 'rendered-worker-strata' } } },
      },
      merge,
    );

    await until(fleet, () => {
      const node = cluster.state.nodes.get(undefined, 'worker-1')!;
      return (
        fleet.timeline.events.filter((e) => e.node === 'worker-1' && e.kind === 'reboot').length >= 1 &&
        node.annotations[A.currentConfig] === base &&
        node.annotations[A.state] === 'Done'
      );
    });

    const desired = fleet.timeline.events
      .filter((e) => e.cluster === 'ocp' && e.node === 'worker-1' && e.kind === 'desired')
      .map((e) => [e.config, e.by]);
    expect(desired).toEqual([
      ['rendered-worker-strata', 'admin'],
      [base, 'machine-config-controller'],
    ]);
    const flips = fleet.checkInvariants().violations.filter((v) => v.kind === 'desired-flip');
    expect(flips).toHaveLength(1);
    expect(flips[0]).toMatchObject({ node: 'worker-1', pool: 'worker' });
    expect(flips[0]!.detail).toContain(`flipped ${base} -> rendered-worker-strata -> ${base}`);
    // Every round is a drain and a reboot; the node ends on the pool's config.
    expect(fleet.timeline.events.filter((e) => e.node === 'worker-1' && e.kind === 'reboot')).toHaveLength(2);
    expect(cluster.state.bootedImage('worker-1')).toBe(releaseImages['4.18.12']);
    await until(fleet, async () => updated(await pool(custom, 'worker')));
  });

  it('leaves a foreign desiredConfig alone on a paused pool, but never counts that node as updated', async () => {
    const { fleet, cluster, core, custom } = await setup(openshiftScenario({ paused: true }));
    const base = (await pool(custom, 'worker')).spec.configuration.name as string;
    const foreign = structuredClone(cluster.state.machineConfigs.get(undefined, base)!.object) as Obj;
    foreign.metadata = { name: 'rendered-worker-strata', annotations: {} };
    foreign.spec.osImageURL = layered;
    await custom.createClusterCustomObject({ ...MCO, plural: 'machineconfigs', body: foreign });
    await core.patchNode(
      {
        name: 'worker-1',
        body: { metadata: { annotations: { [A.desiredConfig]: 'rendered-worker-strata' } } },
      },
      merge,
    );
    await until(
      fleet,
      () =>
        cluster.state.nodes.get(undefined, 'worker-1')!.annotations[A.currentConfig] ===
        'rendered-worker-strata',
    );
    await fleet.advance(10 * 60_000);

    const node = cluster.state.nodes.get(undefined, 'worker-1')!;
    expect(node.annotations).toMatchObject({
      [A.desiredConfig]: 'rendered-worker-strata',
      [A.state]: 'Done',
    });
    expect(cluster.state.bootedImage('worker-1')).toBe(layered);
    const paused = await pool(custom, 'worker');
    expect(paused.status).toMatchObject({ machineCount: 5, updatedMachineCount: 4 });
    expect(condition(paused, 'Updated').status).toBe('False');
    const report = fleet.checkInvariants();
    expect(report.violations).toEqual([]);

    // The first unpause sends it back: that is the flip.
    await custom.patchClusterCustomObject(
      { ...MCO, plural: 'machineconfigpools', name: 'worker', body: { spec: { paused: false } } },
      merge,
    );
    await until(fleet, async () => updated(await pool(custom, 'worker')));
    expect(fleet.checkInvariants().violations.map((v) => [v.kind, v.node])).toEqual([
      ['desired-flip', 'worker-1'],
    ]);
  });
});

describe('MCO failures in the simulator', () => {
  it('a node whose update fails goes Degraded with a reason, and (cordoned and failing) stalls the pool', async () => {
    const scenario = openshiftScenario();
    scenario.faults = { updateFailure: { nodes: ['worker-0'] } };
    const { fleet, cluster, custom } = await setup(scenario);
    await custom.createClusterCustomObject({ ...MCO, plural: 'machineconfigs', body: imageLayer(layered) });
    await until(fleet, async () => (await pool(custom, 'worker')).status.degradedMachineCount === 1);
    await fleet.advance(10 * 60_000);

    const failed = cluster.state.nodes.get(undefined, 'worker-0')!;
    expect(failed.annotations[A.state]).toBe('Degraded');
    expect(failed.annotations[A.reason]).toMatch(
      /^failed to update OS to quay\.io\/acme\/rhcos-layered@sha256:b{64}: error running rpm-ostree rebase/,
    );
    expect(failed.unschedulable).toBe(true); // drained before it failed; left for a human
    const p = await pool(custom, 'worker');
    expect(condition(p, 'NodeDegraded')).toMatchObject({
      status: 'True',
      reason: '1 nodes are reporting degraded status on sync',
    });
    expect(condition(p, 'NodeDegraded').message).toContain(
      'Node worker-0 is reporting: "failed to update OS',
    );
    expect(condition(p, 'Degraded').status).toBe('True');
    expect(condition(p, 'Updated').status).toBe('False');
    // MCO counts the failed node twice: unavailable (cordoned) and failing on its way to the target. With
    // maxUnavailable 2 that leaves no capacity: the node updated alongside it is the only one.
    expect(p.status.updatedMachineCount).toBe(1);
    const target = p.spec.configuration.name;
    const targeted = cluster.state.nodes
      .list()
      .filter((n) => n.pool === 'worker' && n.annotations[A.desiredConfig] === target);
    expect(targeted.map((n) => n.name).sort()).toEqual(['worker-0', 'worker-2']);
    expect(fleet.checkInvariants().violations).toEqual([]);
  });

  it('an updateFailure injected at run time with only a probability fails the nodes MCO updates (no node list needed)', async () => {
    const { fleet, cluster, custom } = await setup();
    expect(() => fleet.injectFault({ updateFailure: { probability: 2 } })).toThrow(
      /^injectFault: faults\.updateFailure\.probability: /,
    );
    fleet.injectFault({ updateFailure: { probability: 1 } });
    await custom.createClusterCustomObject({ ...MCO, plural: 'machineconfigs', body: imageLayer(layered) });
    await until(fleet, async () => (await pool(custom, 'worker')).status.degradedMachineCount >= 1);

    const degraded = cluster.state.nodes
      .list()
      .filter((n) => n.pool === 'worker' && n.annotations[A.state] === 'Degraded');
    expect(degraded.length).toBeGreaterThanOrEqual(1);
    for (const n of degraded) expect(n.annotations[A.reason]).toMatch(/^failed to update OS to /);
    expect(condition(await pool(custom, 'worker'), 'NodeDegraded').status).toBe('True');
    expect(fleet.checkInvariants().violations).toEqual([]);
  });

  it('drains through a PodDisruptionBudget that refuses for a while: retries, then DrainThresholdExceeded, then completes', async () => {
    const scenario = openshiftScenario({ workerMaxUnavailable: 1 });
    scenario.faults = { pdbBlock: [{ cluster: 'ocp', namespace: 'shop', name: 'web-pdb', for: '12m' }] };
    const { fleet, cluster, custom } = await setup(scenario);
    await custom.createClusterCustomObject({ ...MCO, plural: 'machineconfigs', body: imageLayer(layered) });
    await until(
      fleet,
      async () =>
        updated(await pool(custom, 'worker')) && cluster.state.poolTarget('worker').image === layered,
      60 * 60_000,
      5000,
    );

    const refusals = fleet.timeline.events.filter(
      (e) => e.cluster === 'ocp' && e.kind === 'eviction-blocked',
    );
    expect(refusals.length).toBeGreaterThan(10); // retried every 5 s within each 90 s attempt
    const reasons = cluster.state.events.list().map((e) => (e.object as Obj).reason);
    expect(reasons).toContain('DrainThresholdExceeded');
    expect(fleet.checkInvariants().violations).toEqual([]);
  });

  it('sets RenderDegraded with MCO message for a MachineConfig it cannot render, and clears it when it goes', async () => {
    const { fleet, custom } = await setup();
    const bad = imageLayer(layered);
    bad.metadata.name = '50-worker-bad-kernel';
    bad.spec = { kernelType: 'preempt' };
    await custom.createClusterCustomObject({ ...MCO, plural: 'machineconfigs', body: bad });
    await until(
      fleet,
      async () => condition(await pool(custom, 'worker'), 'RenderDegraded')?.status === 'True',
    );

    const p = await pool(custom, 'worker');
    expect(condition(p, 'RenderDegraded').message).toMatch(
      /^Failed to render configuration for pool worker: .*MachineConfig "50-worker-bad-kernel".*kernelType=preempt is invalid/,
    );
    await until(fleet, async () => condition(await pool(custom, 'worker'), 'Degraded')?.status === 'True');

    await custom.deleteClusterCustomObject({
      ...MCO,
      plural: 'machineconfigs',
      name: '50-worker-bad-kernel',
    });
    await until(fleet, async () => {
      const q = await pool(custom, 'worker');
      return condition(q, 'RenderDegraded').status === 'False' && condition(q, 'Degraded').status === 'False';
    });
  });

  /** Layers worker-2 by desiredImage while the pool is paused, then unpauses: MCO takes it back. */
  async function layerThenUnpause(release: string) {
    const { fleet, cluster, core, custom } = await setup(openshiftScenario({ release, paused: true }));
    await core.patchNode(
      { name: 'worker-2', body: { metadata: { annotations: { [A.desiredImage]: layered } } } },
      merge,
    );
    await until(
      fleet,
      () => cluster.state.nodes.get(undefined, 'worker-2')!.annotations[A.currentImage] === layered,
    );
    expect(cluster.state.bootedImage('worker-2')).toBe(layered);
    await custom.patchClusterCustomObject(
      { ...MCO, plural: 'machineconfigpools', name: 'worker', body: { spec: { paused: false } } },
      merge,
    );
    return { fleet, cluster, custom };
  }

  it('on 4.16 refuses to take a node that had a layered image back to a non-layered config (Degraded)', async () => {
    const { fleet, cluster, custom } = await layerThenUnpause('4.16.40');
    await until(
      fleet,
      () => cluster.state.nodes.get(undefined, 'worker-2')!.annotations[A.state] === 'Degraded',
    );

    const node = cluster.state.nodes.get(undefined, 'worker-2')!;
    expect(node.annotations[A.desiredImage]).toBeUndefined(); // the node controller removed it
    expect(node.annotations[A.reason]).toBe(
      'rolling back from a layered to non-layered configuration is not currently supported',
    );
    expect(cluster.state.bootedImage('worker-2')).toBe(layered);
    await until(fleet, async () => (await pool(custom, 'worker')).status.degradedMachineCount === 1);
  });

  it('on 4.18 takes the same node back to its non-layered config', async () => {
    const { fleet, cluster, custom } = await layerThenUnpause('4.18.12');
    await until(fleet, async () => updated(await pool(custom, 'worker')));

    const node = cluster.state.nodes.get(undefined, 'worker-2')!;
    expect(node.annotations[A.currentImage]).toBeUndefined();
    expect(node.annotations[A.desiredImage]).toBeUndefined();
    expect(cluster.state.bootedImage('worker-2')).toBe(releaseImages['4.18.12']);
  });
});

describe('cluster kinds', () => {
  it('a plain Kubernetes cluster serves no machineconfiguration.openshift.io', async () => {
    const scenario = smallScenario();
    scenario.clusters[0]!.kind = 'kubernetes';
    fleet = await startFleet(scenario, { clock: 'manual' });
    const c = fleet.cluster('c1');
    const auth = { Authorization: `Bearer ${c.token}` };
    const groups = JSON.parse((await rawRequest(c, '/apis', auth)).body) as { groups: { name: string }[] };
    expect(groups.groups.map((g) => g.name)).not.toContain('machineconfiguration.openshift.io');
    expect(
      (await rawRequest(c, '/apis/machineconfiguration.openshift.io/v1/machineconfigpools', auth)).status,
    ).toBe(404);
    expect(c.kind).toBe('kubernetes');
    expect(c.mco).toBeUndefined();
  });

  it('4.20 serves MachineConfigNodes that follow their node', async () => {
    const { fleet, custom } = await setup(openshiftScenario({ release: '4.20.3' }));
    const mcn = (await custom.getClusterCustomObject({
      ...MCO,
      plural: 'machineconfignodes',
      name: 'worker-0',
    })) as Obj;
    expect(mcn.spec).toMatchObject({ node: { name: 'worker-0' }, pool: { name: 'worker' } });
    expect(mcn.status.conditions.find((c: Obj) => c.type === 'Updated').status).toBe('True');
    await custom.createClusterCustomObject({ ...MCO, plural: 'machineconfigs', body: imageLayer(layered) });
    await until(fleet, async () => {
      const m = (await custom.getClusterCustomObject({
        ...MCO,
        plural: 'machineconfignodes',
        name: 'worker-0',
      })) as Obj;
      return m.status.conditions.find((c: Obj) => c.type === 'Updated').status === 'False';
    });
  });

  it('an upgrade moves the base image: the pools re-render and roll onto it', async () => {
    const scenario = openshiftScenario();
    (scenario.releases as Obj)['4.18.13'] = {
      baseOSContainerImage: `quay.io/openshift-release-dev/ocp-v4.0-art-dev@sha256:${'7'.repeat(64)}`,
      baseOSExtensionsContainerImage: `quay.io/openshift-release-dev/ocp-v4.0-art-dev@sha256:${'8'.repeat(64)}`,
    };
    const { fleet, cluster, custom } = await setup(scenario);
    const before = (await pool(custom, 'worker')).spec.configuration.name;
    fleet.upgradeCluster('ocp', '4.18.13');
    await until(fleet, async () => {
      const p = await pool(custom, 'worker');
      return p.spec.configuration.name !== before && updated(p);
    });
    expect(cluster.state.bootedImage('worker-4')).toMatch(/@sha256:7{64}$/);
    const cv = (await custom.getClusterCustomObject({
      group: 'config.openshift.io',
      version: 'v1',
      plural: 'clusterversions',
      name: 'version',
    })) as Obj;
    expect(cv.status.history.map((h: Obj) => h.version)).toEqual(['4.18.13', '4.18.12']);
    expect(fleet.checkInvariants().violations).toEqual([]);
  });
});
