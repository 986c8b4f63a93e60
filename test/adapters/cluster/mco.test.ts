/**
 * The mco driver's port against a simulated OpenShift cluster: what it reads of the release, and its
 * MachineConfigNodes where the release serves them (through a recording proxy: what it asks).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { createMcoCluster, MCN_ABSENT_RECHECK_MS } from '../../../functions/adapters/cluster/mco.ts';
import { type Fleet, startFleet } from '../../../sim/index.ts';
import { type RecordingProxy, recordingProxy } from '../../agent/recording-proxy.ts';
import { openshiftScenario } from '../../sim/support.ts';

let fleet: Fleet | undefined;
let proxy: RecordingProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
  await fleet?.stop();
  fleet = undefined;
});

/** The cluster's admin KubeConfig, reaching it through a recording proxy. */
async function proxied(name: string): Promise<KubeConfig> {
  const cluster = fleet!.cluster(name);
  proxy = await recordingProxy({ server: cluster.server, caData: cluster.caData });
  const kc = cluster.kubeConfig();
  const out = new KubeConfig();
  out.loadFromOptions({
    clusters: kc.clusters.map((c) => ({ ...c, server: proxy!.server })),
    users: kc.users,
    contexts: kc.contexts,
    currentContext: kc.currentContext,
  });
  return out;
}

const mcnLists = () => proxy!.requests.filter((r) => r.url.includes('/machineconfignodes')).length;

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

  it('4.20: lists the MachineConfigNodes of the nodes asked for, one request', async () => {
    fleet = await startFleet(openshiftScenario({ release: '4.20.3' }), { clock: 'manual' });
    const port = createMcoCluster(await proxied('ocp'), 'ocp');
    const mcns = await port.listMachineConfigNodes(['worker-0', 'worker-1', 'no-such-node']);
    expect(mcns?.map((m) => m.name).sort()).toEqual(['worker-0', 'worker-1']);
    const w0 = mcns!.find((m) => m.name === 'worker-0')!;
    expect(w0.pool).toBe('worker');
    expect(w0.desired).toMatch(/^rendered-worker-[0-9a-f]+$/);
    expect(w0.current).toBe(w0.desired);
    expect(w0.conditions.find((c) => c.type === 'Updated')?.status).toBe('True');
    expect(mcnLists()).toBe(1);
  });

  it('4.18: not served, so null; not asked again until the recheck time has passed', async () => {
    fleet = await startFleet(openshiftScenario({ release: '4.18.12' }), { clock: 'manual' });
    let now = 1_000_000;
    const port = createMcoCluster(await proxied('ocp'), 'ocp', () => now);
    expect(await port.listMachineConfigNodes(['worker-0'])).toBeNull();
    expect(await port.listMachineConfigNodes(['worker-0'])).toBeNull();
    now += MCN_ABSENT_RECHECK_MS - 1;
    expect(await port.listMachineConfigNodes(['worker-0'])).toBeNull();
    expect(mcnLists()).toBe(1);
    now += 1;
    expect(await port.listMachineConfigNodes(['worker-0'])).toBeNull();
    expect(mcnLists()).toBe(2);
  });

  it('not granted (403, an identity from before the grant): read as absent, remembered like a 404', async () => {
    // An API server whose RBAC refuses the list, as Kubernetes answers it (the simulator lets every read pass).
    const asked: string[] = [];
    const server = createServer((req, res) => {
      asked.push(req.url ?? '');
      res.writeHead(403, { 'Content-Type': 'application/json' });
      res.end(
        JSON.stringify({
          kind: 'Status',
          apiVersion: 'v1',
          status: 'Failure',
          reason: 'Forbidden',
          code: 403,
          message: 'machineconfignodes.machineconfiguration.openshift.io is forbidden',
        }),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    try {
      const kc = new KubeConfig();
      kc.loadFromOptions({
        clusters: [
          {
            name: 'c',
            server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
            skipTLSVerify: true, // plain HTTP on the loopback: client-node asks for it
          },
        ],
        users: [{ name: 'u', token: 't' }],
        contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
        currentContext: 'x',
      });
      const port = createMcoCluster(kc, 'ocp', () => 0);
      expect(await port.listMachineConfigNodes(['worker-0'])).toBeNull();
      expect(await port.listMachineConfigNodes(['worker-0'])).toBeNull();
      expect(asked).toEqual(['/apis/machineconfiguration.openshift.io/v1/machineconfignodes']);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
