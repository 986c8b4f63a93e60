/**
 * The client-node node port against a simulated cluster's real API server: reads and conditional merge
 * patches of the agent's own node, a watch that sees only its node and resumes after disconnects and after
 * 410 Gone, and one connection pool (counted at a proxy).
 */
import { CoreV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { KubeNodePort, PooledKubeConfig } from '../../agent/node/kube.ts';
import { NodeConflictError, type NodeSnapshot } from '../../agent/node/port.ts';
import { clusterKubeConfig, type Fleet, startFleet } from '../../sim/index.ts';
import { smallScenario } from '../sim/support.ts';
import { type RecordingProxy, recordingProxy } from './recording-proxy.ts';

const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
let fleet: Fleet | undefined;
let proxy: RecordingProxy | undefined;
const ports: KubeNodePort[] = [];
afterEach(async () => {
  for (const port of ports.splice(0)) await port.close();
  await proxy?.close();
  await fleet?.stop();
  proxy = undefined;
  fleet = undefined;
});

async function setup(watchHistory = 500) {
  fleet = await startFleet(smallScenario({ apiServer: { watchHistory } }));
  const cluster = fleet.cluster('c1');
  const port = new KubeNodePort(cluster.kubeConfig(), 'worker-1', { rewatchDelayMs: 50 });
  ports.push(port);
  return { cluster, port, core: cluster.kubeConfig().makeApiClient(CoreV1Api) };
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 400 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!check()) throw new Error(`never: ${what}`);
}

describe('client-node node port', () => {
  it('reads its node and patches annotations with a resourceVersion precondition', async () => {
    const { port, core } = await setup();
    const node = await port.get();
    expect(node).toMatchObject({ name: 'worker-1', ready: true });
    const patched = await port.patchAnnotations(
      { 'strata.io/state': 'Done', 'strata.io/reason': '' },
      node.resourceVersion,
    );
    expect(patched.annotations['strata.io/state']).toBe('Done');
    const removed = await port.patchAnnotations({ 'strata.io/reason': null }, patched.resourceVersion);
    expect(removed.annotations['strata.io/reason']).toBeUndefined();

    await core.patchNode({ name: 'worker-1', body: { metadata: { labels: { touched: 'yes' } } } }, merge);
    await expect(
      port.patchAnnotations({ 'strata.io/state': 'Staging' }, removed.resourceVersion),
    ).rejects.toThrow(NodeConflictError);
    expect((await port.get()).annotations['strata.io/state']).toBe('Done');
  });

  it('watches only its own node, and resumes after disconnects and after 410 Gone', async () => {
    const { port, core, cluster } = await setup(5);
    const seen: NodeSnapshot[] = [];
    const watch = port.watch((n) => seen.push(n));
    await until(() => seen.length === 1, 'the initial node');
    const annotate = (name: string, value: string) =>
      core.patchNode(
        { name, body: { metadata: { annotations: { 'strata.io/desired-image': value } } } },
        merge,
      );

    await annotate('worker-2', 'other-node');
    await annotate('worker-1', 'one');
    await until(() => seen.at(-1)?.annotations['strata.io/desired-image'] === 'one', 'the first change');
    expect(seen.every((n) => n.name === 'worker-1')).toBe(true);

    cluster.api.disconnectWatches();
    await annotate('worker-1', 'two');
    await until(
      () => seen.at(-1)?.annotations['strata.io/desired-image'] === 'two',
      'a change after a disconnect',
    );

    // Beyond the server's history (5 events): the watch gets 410 Gone and reads the node again.
    cluster.api.disconnectWatches();
    for (let i = 0; i < 8; i++) await annotate('worker-0', `churn-${i}`);
    await annotate('worker-1', 'three');
    await until(
      () => seen.at(-1)?.annotations['strata.io/desired-image'] === 'three',
      'a change after 410 Gone',
    );
    watch.stop();
  });

  it('sends every request of an agent through one connection pool', async () => {
    const { cluster } = await setup();
    proxy = await recordingProxy(cluster);
    const through = () =>
      clusterKubeConfig({ name: 'c1', server: proxy!.server, token: cluster.token, caData: cluster.caData });

    const pooled = new KubeNodePort(PooledKubeConfig.from(through()), 'worker-1');
    ports.push(pooled);
    let node = await pooled.get();
    for (let i = 0; i < 10; i++)
      node = await pooled.patchAnnotations({ 'strata.io/boot-id': `b${i}` }, node.resourceVersion);
    const opened = proxy.connections();
    expect(opened).toBeLessThanOrEqual(2); // a response's socket may not be free yet for the next request
    for (let i = 0; i < 20; i++)
      node = await pooled.patchAnnotations({ 'strata.io/boot-id': `c${i}` }, node.resourceVersion);
    expect(proxy.requests).toHaveLength(31);
    expect(proxy.connections()).toBe(opened);

    // client-node on its own: a new connection per request.
    const before = proxy.connections();
    const plain = through().makeApiClient(CoreV1Api);
    for (let i = 0; i < 5; i++) await plain.readNode({ name: 'worker-1' });
    expect(proxy.connections() - before).toBe(5);
  });
});
