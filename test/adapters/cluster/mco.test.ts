/** The mco driver's port against a simulated OpenShift cluster: what it reads of the release. */
import { afterEach, describe, expect, it } from 'vitest';
import { createMcoCluster } from '../../../functions/adapters/cluster/mco.ts';
import { type Fleet, startFleet } from '../../../sim/index.ts';
import { openshiftScenario } from '../../sim/support.ts';

let fleet: Fleet | undefined;
afterEach(async () => {
  await fleet?.stop();
  fleet = undefined;
});

describe('createMcoCluster', () => {
  it('reads the release: ControllerConfig inputs, ClusterVersion and the machine-config-osimageurl ConfigMap', async () => {
    fleet = await startFleet(openshiftScenario(), { clock: 'manual' });
    const cluster = fleet.cluster('ocp');
    const facts = await createMcoCluster(cluster.kubeConfig(), 'ocp').readCluster();
    const release = cluster.state.release!;
    expect(facts.version).toBe(release.version);
    expect(facts.osImageUrl).toEqual({
      baseOSContainerImage: release.baseOSContainerImage,
      baseOSExtensionsContainerImage: release.baseOSExtensionsContainerImage,
      releaseVersion: release.version,
    });
    expect(facts.controller?.baseOSContainerImage).toBe(release.baseOSContainerImage);
  });
});
