import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCredentialsResolver } from '../../../functions/adapters/cluster/credentials.ts';
import { createKubernetesCluster } from '../../../functions/adapters/cluster/kubernetes.ts';
import { renderTarget } from '../../../functions/adapters/cluster/render-target.ts';
import { CredentialsError, staticTokens } from '../../../functions/adapters/secrets/tokens.ts';
import type { ClusterRecord } from '../../../functions/core/clusters.ts';
import { NodeAnnotations } from '../../../functions/core/model.ts';
import { type ClusterPort, NodeChangedError } from '../../../functions/core/rollout/index.ts';
import { type Fleet, startFleet } from '../../../sim/index.ts';
import { digestOf } from '../../rollout/harness.ts';
import { fleetScenario } from '../../rollout/scenarios.ts';

describe('the Kubernetes cluster port against a simulated cluster', () => {
  let fleet: Fleet;
  let port: ClusterPort;
  let record: ClusterRecord;
  beforeAll(async () => {
    fleet = await startFleet(
      fleetScenario({
        clusters: [{ name: 'a', nodes: 2 }],
        faults: { pdbBlock: [{ cluster: 'a', namespace: 'shop', name: 'web-pdb' }] },
      }),
    );
    const c = fleet.cluster('a');
    record = {
      id: 'a',
      endpoint: c.server,
      caData: c.caData,
      credentials: { kind: 'token-secret', secretName: 'a' },
      labels: {},
      pools: [{ name: 'worker', nodeSelector: { 'node-role.kubernetes.io/worker': '' } }],
      registeredAt: new Date().toISOString(),
      version: 1,
    };
    const kc = await createCredentialsResolver(staticTokens({ a: c.token })).kubeConfigFor(record);
    port = createKubernetesCluster(kc, 'a');
  });
  afterAll(async () => fleet.stop());

  it('lists nodes as planner facts with MCO annotations and conditions', async () => {
    const nodes = await port.listNodes();
    expect(nodes.map((n) => n.name).sort()).toEqual(['worker-0', 'worker-1']);
    expect(nodes[0]!.annotations[NodeAnnotations.state]).toBe('Done');
    expect(nodes[0]!.conditions).toContainEqual({ type: 'Ready', status: 'True' });
  });

  it('lists only the nodes a pool selector selects', async () => {
    const workers = await port.listNodes({ 'node-role.kubernetes.io/worker': '' });
    const infra = await port.listNodes({ 'node-role.kubernetes.io/infra': '' });
    expect(workers.map((n) => n.name).sort()).toEqual(['worker-0', 'worker-1']);
    expect(infra).toEqual([]);
  });

  it('cordons and uncordons idempotently', async () => {
    await port.setUnschedulable('worker-0', true);
    await port.setUnschedulable('worker-0', true);
    expect(
      fleet
        .cluster('a')
        .state.nodes.list()
        .find((n) => n.name === 'worker-0')!.unschedulable,
    ).toBe(true);
    await port.setUnschedulable('worker-0', false);
    expect(
      fleet
        .cluster('a')
        .state.nodes.list()
        .find((n) => n.name === 'worker-0')!.unschedulable,
    ).toBe(false);
  });

  it('lists evictable pods without DaemonSet pods, and a PDB refusal is "blocked" (HTTP 429)', async () => {
    const node = fleet
      .cluster('a')
      .state.pods.list()
      .find((p) => p.namespace === 'shop')!.nodeName!;
    const pods = await port.listEvictablePods(node);
    expect(pods.length).toBeGreaterThan(0);
    expect(pods.every((p) => p.namespace !== 'monitoring')).toBe(true);
    expect(await port.evictPod(pods.find((p) => p.namespace === 'shop')!)).toBe('blocked');
    expect(await port.evictPod({ namespace: 'shop', name: 'no-such-pod' })).toBe('gone');
  });

  it('sets and removes annotations in one patch', async () => {
    await port.setNodeAnnotations('worker-1', { 'example.com/a': 'x', 'example.com/b': 'y' });
    await port.setNodeAnnotations('worker-1', { 'example.com/a': null });
    const n = (await port.listNodes()).find((x) => x.name === 'worker-1')!;
    expect(n.annotations['example.com/a']).toBeUndefined();
    expect(n.annotations['example.com/b']).toBe('y');
  });

  it('guards a write with the resourceVersion it was decided on: a stale one is refused and applies nothing', async () => {
    // Prepare: a read, then someone else changes the node.
    const read = (await port.listNodes()).find((x) => x.name === 'worker-1')!;
    expect(read.resourceVersion).toBeDefined();
    const changed = await port.setNodeAnnotations('worker-1', { 'example.com/other': 'writer' });
    expect(changed.resourceVersion).not.toBe(read.resourceVersion);
    // Act: the write decided on the old read.
    const stale = port.setUnschedulable('worker-1', true, read.resourceVersion);
    // Assess: refused as a changed node; the node stays schedulable. A write on the answer's version applies.
    await expect(stale).rejects.toBeInstanceOf(NodeChangedError);
    expect(fleet.cluster('a').state.nodes.get(undefined, 'worker-1')!.unschedulable).toBe(false);
    const cordoned = await port.setUnschedulable('worker-1', true, changed.resourceVersion);
    expect(cordoned.unschedulable).toBe(true);
    await port.setUnschedulable('worker-1', false);
  });

  it('renders the pool with an image layer and creates the rendered MachineConfig once', async () => {
    // Prepare
    const image = `quay.io/strata/rhcos-layered@${digestOf('v9')}`;
    // Act
    const first = await renderTarget(port, 'worker', image);
    const again = await renderTarget(port, 'worker', image);
    // Assess
    expect(first.config).toMatch(/^rendered-worker-[0-9a-f]{32}$/);
    expect(again.config).toBe(first.config);
    expect(first.createdInCluster).toBe(true);
    expect(first.sources).toContain('99-strata-worker-os-image');
    const sources = await port.readPoolSources('worker');
    expect(sources!.machineConfigs.map((m) => m.metadata.name)).toContain(first.config);
    expect(await port.readPoolSources('no-such-pool')).toBeNull();
  });

  it('a missing token names the cluster and the secret', async () => {
    await expect(createCredentialsResolver(staticTokens({})).kubeConfigFor(record)).rejects.toThrow(
      CredentialsError,
    );
    await expect(createCredentialsResolver(staticTokens({})).kubeConfigFor(record)).rejects.toThrow(
      /cluster a: credentials.secretName a: no token named "a"/,
    );
  });
});
