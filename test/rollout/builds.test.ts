/**
 * Builds rolled out on simulated OpenShift clusters (mco driver) against a real registry: two releases'
 * busybox bases built and pushed in the test; the track's Containerfile built by buildah once per base;
 * each cluster's pools get the digest built on that cluster's own base; a cluster on a base of another
 * stream is refused with the reason and left alone; an upgraded cluster (new base) gets a rebuild and a
 * rollout; a track whose rebuilds need approval records the build awaiting it and rolls nothing out.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  buildahBuilder,
  runTrackBuilds,
  type TrackBuildDeps,
} from '../../functions/adapters/builder/index.ts';
import { createClusterConnector } from '../../functions/adapters/cluster/connector.ts';
import { createCredentialsResolver } from '../../functions/adapters/cluster/credentials.ts';
import { OciRegistryClient, staticCredentials } from '../../functions/adapters/registry/index.ts';
import { staticTokens } from '../../functions/adapters/secrets/tokens.ts';
import { dynamoStores } from '../../functions/adapters/store/index.ts';
import { BuildDefinitionSchema } from '../../functions/core/builds/index.ts';
import type { RolloutStrategy, Track } from '../../functions/core/model.ts';
import { pushBaseImage, type TestStorage, testStorage } from '../support/base-image.ts';
import { startRegistry, type TestRegistry } from '../support/registry.ts';
import { type Harness, startHarness } from './harness.ts';
import { mcoFleetScenario } from './scenarios.ts';

const strategy: RolloutStrategy = {
  waves: [],
  maxConcurrentClusters: 3,
  soakSeconds: 0,
  poolFailureBudget: 0,
  fleetFailureBudget: 0,
  onFailure: 'halt',
};
const LAYER = '99-strata-worker-os-image';
const EXT = `quay.io/openshift-release-dev/ocp-v4.0-art-dev@sha256:${'1b'.repeat(32)}`;

let registry: TestRegistry;
let baseStorage: TestStorage;
let builderStorage: TestStorage;
const bases: Record<string, string> = {};

beforeAll(async () => {
  registry = await startRegistry();
  baseStorage = testStorage();
  builderStorage = testStorage();
  for (const release of ['4.18.12', '4.20.3', '4.21.0'])
    bases[release] = await pushBaseImage(baseStorage, `${registry.host}/ocp/os:stream`, release);
}, 180_000);

afterAll(async () => {
  await registry?.stop();
  baseStorage?.dispose();
  builderStorage?.dispose();
});

/** A scenario whose releases' bases are the pushed busybox bases; 4.16.9 runs a base of another stream. */
function scenario(clusters: { name: string; release: string }[]) {
  const input = mcoFleetScenario({ clusters: clusters.map((c) => ({ name: c.name, nodes: 2 })) });
  const release = (digest: string) => ({
    baseOSContainerImage: `${registry.host}/ocp/os@${digest}`,
    baseOSExtensionsContainerImage: EXT,
  });
  return {
    ...input,
    releases: {
      '4.18.12': release(bases['4.18.12']!),
      '4.20.3': release(bases['4.20.3']!),
      '4.21.0': release(bases['4.21.0']!),
      '4.16.9': {
        baseOSContainerImage: `quay.io/other/os@sha256:${'4a'.repeat(32)}`,
        baseOSExtensionsContainerImage: EXT,
      },
    },
    clusters: (input.clusters as { name: string }[]).map((c, i) => ({ ...c, release: clusters[i]!.release })),
  } as unknown as typeof input;
}

function track(rebuild: 'automatic' | 'approval' = 'automatic'): Track {
  return {
    name: 'layered',
    image: { host: registry.host, repository: 'acme/layered', tag: 'prod' },
    targets: { clusterSelector: {}, pools: ['worker'] },
    strategy,
    build: BuildDefinitionSchema.parse({
      containerfile: `FROM ${registry.host}/ocp/os:stream\nRUN echo "layered on $(cat /etc/strata-release)" > /etc/layered\n`,
      repository: `${registry.host}/acme/layered`,
      rebuild,
    }),
  };
}

function buildDeps(h: Harness): TrackBuildDeps {
  const tokens = Object.fromEntries(h.fleet.clusters.map((c) => [c.name, c.token]));
  return {
    stores: dynamoStores(h.store),
    clusters: createClusterConnector(h.store, createCredentialsResolver(staticTokens(tokens))),
    resolver: new OciRegistryClient({ credentials: staticCredentials({ registries: {} }) }),
    builder: buildahBuilder({ root: builderStorage.root, runroot: builderStorage.runroot }),
    planQueue: h.queues.plan,
    now: h.now,
  };
}

const layerImage = (h: Harness, cluster: string) =>
  (
    h.fleet.cluster(cluster).state.machineConfigs.get(undefined, LAYER)?.object.spec as
      | { osImageURL?: string }
      | undefined
  )?.osImageURL;

describe('builds rolled out per base (simulated MCO, real registry and buildah)', {
  timeout: 300_000,
}, () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  it('two releases give two builds; each cluster gets its own base’s digest; the other stream is refused; an upgrade rebuilds and rolls out', async () => {
    // Prepare
    h = await startHarness({
      scenario: scenario([
        { name: 'a', release: '4.18.12' },
        { name: 'b', release: '4.20.3' },
        { name: 'c', release: '4.18.12' },
        { name: 'd', release: '4.16.9' },
      ]),
    });
    const deps = buildDeps(h);
    // Act
    const first = await runTrackBuilds(deps, track());
    // Assess: one build per base, each Succeeded, tagged by release and revision
    expect(first.builds.map((b) => [b.release, b.status, b.clusters])).toEqual(
      [
        ['4.18.12', 'Succeeded', ['a', 'c']],
        ['4.20.3', 'Succeeded', ['b']],
      ].sort((x, y) => (bases[x[0] as string]! < bases[y[0] as string]! ? -1 : 1)),
    );
    const digestOn = (release: string) => first.builds.find((b) => b.release === release)!.digest!;
    expect(digestOn('4.18.12')).not.toBe(digestOn('4.20.3'));
    expect(first.set.refused).toEqual([
      {
        clusterId: 'd',
        reason: `base quay.io/other/os is not the build's base stream ${registry.host}/ocp/os`,
      },
    ]);
    expect(first.created).toBe(true);
    const done = await h.waitForStatus(first.rolloutId!, ['Completed', 'Halted'], 120_000);
    expect(done.status).toBe('Completed');
    expect(done.refused).toEqual(first.set.refused);
    const expected = { a: digestOn('4.18.12'), b: digestOn('4.20.3'), c: digestOn('4.18.12') };
    for (const [cluster, digest] of Object.entries(expected)) {
      expect(layerImage(h, cluster)).toBe(`${registry.host}/acme/layered@${digest}`);
      expect((await h.pool(cluster, 'worker')).target?.image).toBe(`${registry.host}/acme/layered@${digest}`);
    }
    expect(layerImage(h, 'd')).toBeUndefined();
    expect((await h.pool('d', 'worker')).target?.rolloutId).not.toBe(first.rolloutId);
    // A second pass with nothing moved builds nothing and starts nothing.
    const again = await runTrackBuilds(deps, track());
    expect(again.created).toBe(false);
    expect(again.builds.every((b) => b.attempts === 1)).toBe(true);

    // Act: cluster c upgrades to 4.21.0 (its ControllerConfig names a new base)
    h.fleet.upgradeCluster('c', '4.21.0');
    const rebuilt = await runTrackBuilds(deps, track());
    // Assess: a third build on the new base, a new rollout that gives c its digest
    const onNew = rebuilt.builds.find((b) => b.base.digest === bases['4.21.0'])!;
    expect(onNew).toMatchObject({ status: 'Succeeded', clusters: ['c'], release: '4.21.0' });
    expect(rebuilt.created).toBe(true);
    expect(rebuilt.rolloutId).not.toBe(first.rolloutId);
    expect((await h.waitForStatus(rebuilt.rolloutId!, ['Completed', 'Halted'], 120_000)).status).toBe(
      'Completed',
    );
    expect(layerImage(h, 'c')).toBe(`${registry.host}/acme/layered@${onNew.digest}`);
    expect(layerImage(h, 'a')).toBe(`${registry.host}/acme/layered@${digestOn('4.18.12')}`);
    expect(h.fleet.checkInvariants().violations).toEqual([]);
  });

  it('a track whose rebuilds need approval records the rebuild awaiting it and rolls nothing new out', async () => {
    h = await startHarness({ scenario: scenario([{ name: 'a', release: '4.18.12' }]) });
    const deps = buildDeps(h);
    const first = await runTrackBuilds(deps, track('approval'));
    expect(first.builds.map((b) => b.status)).toEqual(['Succeeded']); // the first build needs no approval
    await h.waitForStatus(first.rolloutId!, ['Completed'], 120_000);
    h.fleet.upgradeCluster('a', '4.20.3');
    const waiting = await runTrackBuilds(deps, track('approval'));
    expect(waiting.builds).toEqual([
      expect.objectContaining({ status: 'Prepared', attempts: 0, awaitingApproval: true }),
    ]);
    expect(waiting.set.unsettled).toEqual([waiting.builds[0]!.id]);
    expect(waiting.rolloutId).toBeNull();
    expect(layerImage(h, 'a')).toBe(`${registry.host}/acme/layered@${first.builds[0]!.digest}`);
  });
});
