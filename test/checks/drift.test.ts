/**
 * Drift on the simulator: after a completed rollout a node changed by hand (its desired image set with the
 * Kubernetes API, as `kubectl annotate` would) is a finding with its cause; once corrected, it is gone.
 * A resync tick leaves a pool that reached its target alone, so without a relay the drift stays until it
 * is reported and corrected.
 */
import { CustomObjectsApi, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { createClusterConnector } from '../../functions/adapters/cluster/connector.ts';
import { createCredentialsResolver } from '../../functions/adapters/cluster/credentials.ts';
import { createKubernetesCluster } from '../../functions/adapters/cluster/kubernetes.ts';
import { logOnlyPublisher } from '../../functions/adapters/events/publisher.ts';
import { createCheckRegistry } from '../../functions/adapters/registry/check-registry.ts';
import { staticCredentials } from '../../functions/adapters/registry/index.ts';
import { staticTokens } from '../../functions/adapters/secrets/tokens.ts';
import { getClusterDrift, listClusterDrift } from '../../functions/adapters/store/checks.ts';
import { dynamoStores } from '../../functions/adapters/store/index.ts';
import { NodeAnnotations, type RolloutStrategy } from '../../functions/core/model.ts';
import type { CheckQueueMessage, ImageQueueMessage } from '../../functions/core/ports.ts';
import { checkClusterDrift } from '../../functions/handlers/update-check/drift.ts';
import { runCheckTick } from '../../functions/handlers/update-check/tick.ts';
import type { UpdateCheckDeps } from '../../functions/handlers/update-check.ts';
import { digestOf, type Harness, startHarness } from '../rollout/harness.ts';
import { fleetScenario } from '../rollout/scenarios.ts';
import { RecordingQueue } from '../support/registry.ts';

const strategy: RolloutStrategy = {
  waves: [],
  maxConcurrentClusters: 1,
  soakSeconds: 0,
  poolFailureBudget: 0,
  fleetFailureBudget: 0,
  onFailure: 'halt',
};

describe('drift findings on the simulator', { timeout: 120_000 }, () => {
  let h: Harness | undefined;
  afterEach(async () => h?.stop());

  it('reports a node changed by hand with its cause, and forgets it once corrected', async () => {
    // Prepare: a completed rollout of v2 to a 3-node pool, in a cluster without a watch relay (with one,
    // the node's change reaches the pool's reconcile, which puts the node back on the target itself).
    h = await startHarness({
      scenario: fleetScenario({ clusters: [{ name: 'east', nodes: 3 }] }),
      relays: false,
    });
    const harness = h;
    const id = await harness.startRollout({ track: 'prod', digest: digestOf('v2'), strategy });
    expect((await harness.waitForStatus(id, ['Completed', 'Halted'])).status).toBe('Completed');
    const cluster = harness.fleet.clusters[0]!;
    const checkQueue = new RecordingQueue<CheckQueueMessage>();
    const deps: UpdateCheckDeps = {
      stores: dynamoStores(harness.store),
      ...createCheckRegistry(staticCredentials({ registries: {} })),
      imageQueue: new RecordingQueue<ImageQueueMessage>(),
      checkQueue,
      publisher: logOnlyPublisher,
      clusters: createClusterConnector(
        harness.store,
        createCredentialsResolver(staticTokens({ east: cluster.token })),
      ),
      now: harness.now,
      log: () => undefined,
    };
    const tick = await runCheckTick(deps);
    expect(checkQueue.bodies).toEqual([{ kind: 'drift', clusterId: 'east', cycle: tick.cycle }]);
    expect(await checkClusterDrift(deps, 'east', tick.cycle)).toMatchObject({ findings: 0 });
    const target = `quay.io/strata/rhcos-layered@${digestOf('v2')}`;
    const handImage = `quay.io/strata/rhcos-layered@${digestOf('hand')}`;
    const node = cluster.state.nodes.list()[0]!.name;
    const admin = createKubernetesCluster(cluster.kubeConfig(), 'east');
    const currentImage = () =>
      cluster.state.nodes.list().find((n) => n.name === node)!.annotations[NodeAnnotations.currentImage];

    // Act: someone rebases the node by hand; its daemon follows.
    await admin.setNodeAnnotations(node, { [NodeAnnotations.desiredImage]: handImage });
    await harness.waitUntil(() => currentImage() === handImage, 'the node to boot the hand-set image');
    await checkClusterDrift(deps, 'east', 'c2');
    const found = await getClusterDrift(harness.store, 'east');

    // Assess: one finding, about that node, with its cause.
    expect(found?.findings).toMatchObject([
      {
        clusterId: 'east',
        pool: 'worker',
        kind: 'node-image',
        subject: node,
        expected: target,
        actual: handImage,
      },
    ]);
    expect(found?.findings[0]?.cause).toMatch(/rebased outside Strata/);
    const since = found?.findings[0]?.since;

    // Still there on the next check, with the same since.
    await checkClusterDrift(deps, 'east', 'c3');
    expect((await getClusterDrift(harness.store, 'east'))?.findings.map((f) => f.since)).toEqual([since]);

    // Corrected by hand: the finding disappears.
    await admin.setNodeAnnotations(node, { [NodeAnnotations.desiredImage]: target });
    await harness.waitUntil(() => currentImage() === target, 'the node to boot the pool image again');
    await checkClusterDrift(deps, 'east', 'c4');
    expect((await listClusterDrift(harness.store)).map((d) => [d.clusterId, d.findings])).toEqual([
      ['east', []],
    ]);
  });

  it('reports a rendered MachineConfig edited in the cluster and a pool paused by hand, until undone', async () => {
    // Prepare: a completed rollout; the simulator serves MachineConfigs and MachineConfigPools.
    h = await startHarness({
      scenario: fleetScenario({ clusters: [{ name: 'west', nodes: 2 }] }),
      relays: false,
    });
    const harness = h;
    const id = await harness.startRollout({ track: 'prod', digest: digestOf('v3'), strategy });
    expect((await harness.waitForStatus(id, ['Completed', 'Halted'])).status).toBe('Completed');
    const cluster = harness.fleet.clusters[0]!;
    const deps: UpdateCheckDeps = {
      stores: dynamoStores(harness.store),
      ...createCheckRegistry(staticCredentials({ registries: {} })),
      imageQueue: new RecordingQueue<ImageQueueMessage>(),
      checkQueue: new RecordingQueue<CheckQueueMessage>(),
      publisher: logOnlyPublisher,
      clusters: createClusterConnector(
        harness.store,
        createCredentialsResolver(staticTokens({ west: cluster.token })),
      ),
      now: harness.now,
      log: () => undefined,
    };
    const rendered = (await harness.pool('west', 'worker')).target!.config;
    const custom = cluster.kubeConfig().makeApiClient(CustomObjectsApi);
    const group = 'machineconfiguration.openshift.io';
    const patch = (plural: string, name: string, body: object) =>
      custom.patchClusterCustomObject(
        { group, version: 'v1', plural, name, body },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
    const original = (await custom.getClusterCustomObject({
      group,
      version: 'v1',
      plural: 'machineconfigs',
      name: rendered,
    })) as { spec: { kernelArguments?: string[] } };
    await checkClusterDrift(deps, 'west', 'c1');
    expect((await getClusterDrift(harness.store, 'west'))?.findings).toEqual([]);

    // Act: someone edits the rendered config and pauses the pool.
    await patch('machineconfigs', rendered, { spec: { kernelArguments: ['nosmt'] } });
    await patch('machineconfigpools', 'worker', { spec: { paused: true } });
    await checkClusterDrift(deps, 'west', 'c2');
    const found = (await getClusterDrift(harness.store, 'west'))?.findings ?? [];

    // Assess
    expect(found.map((f) => [f.kind, f.subject])).toEqual([
      ['pool-paused', 'worker'],
      ['rendered-config-modified', rendered],
    ]);
    expect(found[1]?.actual).toMatch(/^rendered-worker-[0-9a-f]{32}$/);
    expect(found[1]?.actual).not.toBe(rendered);
    expect(found[0]?.cause).toMatch(/paused by hand/);

    // Undone: both findings disappear.
    await patch('machineconfigs', rendered, {
      spec: { kernelArguments: original.spec.kernelArguments ?? null },
    });
    await patch('machineconfigpools', 'worker', { spec: { paused: false } });
    await checkClusterDrift(deps, 'west', 'c3');
    expect((await getClusterDrift(harness.store, 'west'))?.findings).toEqual([]);
  });
});
