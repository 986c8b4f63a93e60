/**
 * deploy/cluster/controller-identity.yaml, ClusterRole strata-controller-mco: exactly what the mco driver
 * does with an OpenShift cluster's API, measured by running it through a recording proxy in front of a
 * simulated cluster running MCO on 4.20 (detection, two rollouts — the image layer created, then patched —
 * and a release; MachineConfigNodes listed), and compared with the role's grants. No node writes, no evictions, no rendered configs.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createClusterConnector } from '../../functions/adapters/cluster/connector.ts';
import { createCredentialsResolver } from '../../functions/adapters/cluster/credentials.ts';
import { releaseMcoPool } from '../../functions/adapters/cluster/mco-reconcile.ts';
import { staticTokens } from '../../functions/adapters/secrets/tokens.ts';
import { getCluster, updateCluster } from '../../functions/adapters/store/clusters.ts';
import { dynamoStores } from '../../functions/adapters/store/index.ts';
import type { RolloutStrategy } from '../../functions/core/model.ts';
import { type RecordingProxy, recordingProxy } from '../agent/recording-proxy.ts';
import { digestOf, type Harness, startHarness } from '../rollout/harness.ts';
import { mcoFleetScenario } from '../rollout/scenarios.ts';
import { clusterRoleGrants, rbacOf, roleGrants } from '../support/rbac.ts';

const strategy: RolloutStrategy = {
  waves: [],
  maxConcurrentClusters: 1,
  maxUnavailable: 1,
  soakSeconds: 0,
  poolFailureBudget: 0,
  fleetFailureBudget: 0,
  onFailure: 'halt',
};

let h: Harness | undefined;
let proxy: RecordingProxy | undefined;
afterAll(async () => {
  await proxy?.close();
  await h?.stop();
});

describe('deploy/cluster/controller-identity.yaml (mco driver)', () => {
  it('grants exactly what the mco driver uses: no node patch, no eviction', {
    timeout: 120_000,
  }, async () => {
    h = await startHarness({
      // 4.20: the release serves MachineConfigNode, which the driver lists for per-node progress.
      scenario: mcoFleetScenario({
        clusters: [{ name: 'a', nodes: 2, maxUnavailable: 2, release: '4.20.3' }],
      }),
    });
    const sim = h.fleet.cluster('a');
    proxy = await recordingProxy({ server: sim.server, caData: sim.caData });
    // The cluster is reached through the proxy from now on, and its driver detected again.
    const record = (await getCluster(h.store, 'a'))!;
    const { driver: _detected, ...rest } = record;
    await updateCluster(h.store, { ...rest, endpoint: proxy.server }, record.version);
    await new Promise((r) => setTimeout(r, 5_500)); // the connectors' registration cache
    const v2 = await h.startRollout({ track: 'prod', digest: digestOf('v2'), strategy });
    expect((await h.waitForStatus(v2, ['Completed', 'Halted'])).status).toBe('Completed');
    const v3 = await h.startRollout({ track: 'prod', digest: digestOf('v3'), strategy });
    expect((await h.waitForStatus(v3, ['Completed', 'Halted'])).status).toBe('Completed');
    const clusters = createClusterConnector(
      h.store,
      createCredentialsResolver(staticTokens({ a: sim.token })),
    );
    const released = await releaseMcoPool(
      { stores: dynamoStores(h.store), clusters, reconcileQueue: h.queues.reconcile },
      'a',
      'worker',
    );
    expect(released).toMatchObject({
      deletedMachineConfig: '99-strata-worker-os-image',
      restoredMaxUnavailable: 2,
    });
    expect((await getCluster(h.store, 'a'))?.driver).toBe('mco');

    const used = [...new Set(proxy.requests.map((r) => rbacOf(r.method, r.url)))].sort();
    const granted = clusterRoleGrants('controller-identity.yaml', 'strata-controller-mco');
    // The osimageurl ConfigMap is namespaced: a Role in MCO's namespace grants it, for that name only.
    const inMcoNamespace = roleGrants('controller-identity.yaml', 'Role', 'strata-controller-mco');
    expect(inMcoNamespace).toEqual(['/configmaps:get']);
    expect(used).toEqual([...granted, ...inMcoNamespace].sort());
    const configMaps = proxy.requests.filter((r) => rbacOf(r.method, r.url) === '/configmaps:get');
    expect(new Set(configMaps.map((r) => new URL(r.url, 'https://proxy').pathname))).toEqual(
      new Set(['/api/v1/namespaces/openshift-machine-config-operator/configmaps/machine-config-osimageurl']),
    );
    expect(granted).not.toContain('/nodes:patch');
    expect(granted).not.toContain('/pods/eviction:create');
  });
});
