import {
  ApiException,
  CoreV1Api,
  CustomObjectsApi,
  PatchStrategy,
  PolicyV1Api,
  setHeaderOptions,
  Watch,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeAnnotations } from '../../functions/core/model.ts';
import { type Fleet, startFleet } from '../../sim/index.ts';
import { rawRequest, smallScenario } from './support.ts';

const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const strategic = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);
const jsonPatch = setHeaderOptions('Content-Type', PatchStrategy.JsonPatch);

async function apiError(promise: Promise<unknown>): Promise<ApiException<string>> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ApiException) return error as ApiException<string>;
    throw error;
  }
  throw new Error('expected the call to fail');
}

let fleet: Fleet;
let core: CoreV1Api;

beforeAll(async () => {
  fleet = await startFleet(smallScenario({ apiServer: { watchHistory: 5, bookmarkEveryMs: 50 } }), {
    clock: 'manual',
  });
  core = fleet.cluster('c1').kubeConfig().makeApiClient(CoreV1Api);
});
afterAll(() => fleet?.stop());

describe('nodes', () => {
  it('lists nodes with label and field selectors, limit and continue', async () => {
    const all = await core.listNode();
    expect(all.items.map((n) => n.metadata?.name)).toEqual(['worker-0', 'worker-1', 'worker-2', 'worker-3']);
    expect(all.metadata?.resourceVersion).toMatch(/^\d+$/);

    const zoneB = await core.listNode({
      labelSelector: 'topology.kubernetes.io/zone in (z-b),node-role.kubernetes.io/worker',
    });
    expect(zoneB.items.map((n) => n.metadata?.name)).toEqual(['worker-1', 'worker-3']);
    const named = await core.listNode({ fieldSelector: 'metadata.name=worker-2' });
    expect(named.items.map((n) => n.metadata?.name)).toEqual(['worker-2']);

    const page1 = await core.listNode({ limit: 3 });
    expect(page1.items).toHaveLength(3);
    expect(page1.metadata?.remainingItemCount).toBe(1);
    const page2 = await core.listNode({ limit: 3, _continue: page1.metadata?._continue });
    expect(page2.items.map((n) => n.metadata?.name)).toEqual(['worker-3']);
    expect(page2.metadata?._continue).toBeUndefined();
  });

  it('rejects an unsupported field selector with 400', async () => {
    const error = await apiError(core.listNode({ fieldSelector: 'status.phase=Running' }));
    expect(error.code).toBe(400);
    expect(error.body).toContain('field label not supported: status.phase');
  });

  it('serves a node with MCO annotations, Ready condition and nodeInfo', async () => {
    const node = await core.readNode({ name: 'worker-0' });
    expect(node.metadata?.annotations?.[NodeAnnotations.state]).toBe('Done');
    expect(node.metadata?.annotations?.[NodeAnnotations.currentConfig]).toMatch(
      /^rendered-worker-[0-9a-f]{32}$/,
    );
    expect(node.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
    expect(node.status?.nodeInfo?.kubeletVersion).toBe('v1.32.4');
  });

  it('applies merge, strategic merge and JSON patches', async () => {
    await core.patchNode({ name: 'worker-1', body: { metadata: { labels: { tier: 'gold' } } } }, merge);
    await core.patchNode(
      {
        name: 'worker-1',
        body: {
          spec: { unschedulable: true, taints: [{ key: 'UpdateInProgress', effect: 'PreferNoSchedule' }] },
        },
      },
      strategic,
    );
    await core.patchNode(
      { name: 'worker-1', body: { spec: { taints: [{ key: 'other', effect: 'NoSchedule' }] } } },
      strategic,
    );
    await core.patchNode(
      {
        name: 'worker-1',
        body: [{ op: 'add', path: '/metadata/annotations/example.com~1note', value: 'hi' }],
      },
      jsonPatch,
    );

    const node = await core.readNode({ name: 'worker-1' });
    expect(node.metadata?.labels?.tier).toBe('gold');
    expect(node.spec?.unschedulable).toBe(true);
    expect(node.spec?.taints?.map((t) => t.key)).toEqual(['UpdateInProgress', 'other']);
    expect(node.metadata?.annotations?.['example.com/note']).toBe('hi');

    await core.patchNode(
      {
        name: 'worker-1',
        body: { metadata: { labels: { tier: null } }, spec: { unschedulable: null, taints: null } },
      },
      merge,
    );
    const after = await core.readNode({ name: 'worker-1' });
    expect(after.metadata?.labels?.tier).toBeUndefined();
    expect(after.spec?.unschedulable).toBeUndefined();
  });

  it('returns 409 Conflict for a write with a stale resourceVersion', async () => {
    const node = await core.readNode({ name: 'worker-2' });
    await core.patchNode(
      { name: 'worker-2', body: { metadata: { annotations: { touched: 'yes' } } } },
      merge,
    );

    const error = await apiError(core.replaceNode({ name: 'worker-2', body: node }));
    expect(error.code).toBe(409);
    expect(JSON.parse(error.body).reason).toBe('Conflict');
    const stalePatch = await apiError(
      core.patchNode(
        {
          name: 'worker-2',
          body: { metadata: { resourceVersion: node.metadata?.resourceVersion, labels: { x: 'y' } } },
        },
        merge,
      ),
    );
    expect(stalePatch.code).toBe(409);

    const fresh = await core.readNode({ name: 'worker-2' });
    fresh.metadata!.labels = { ...fresh.metadata?.labels, replaced: 'true' };
    const replaced = await core.replaceNode({ name: 'worker-2', body: fresh });
    expect(replaced.metadata?.labels?.replaced).toBe('true');
    expect(Number(replaced.metadata?.resourceVersion)).toBeGreaterThan(
      Number(fresh.metadata?.resourceVersion),
    );
  });

  it('returns 404 with a NotFound Status for an unknown node', async () => {
    const error = await apiError(core.readNode({ name: 'nope' }));
    expect(error.code).toBe(404);
    expect(JSON.parse(error.body)).toMatchObject({
      kind: 'Status',
      reason: 'NotFound',
      message: 'nodes "nope" not found',
    });
  });
});

describe('watch', () => {
  it('streams changes from a resourceVersion, with bookmarks allowed', async () => {
    const list = await core.listNode();
    const events: { type: string; name?: string }[] = [];
    const watch = new Watch(fleet.cluster('c1').kubeConfig());
    const got = new Promise<void>((resolve) => {
      void watch
        .watch(
          '/api/v1/nodes',
          {
            resourceVersion: list.metadata?.resourceVersion,
            allowWatchBookmarks: true,
            labelSelector: 'topology.kubernetes.io/zone=z-a',
          },
          (type, object) => {
            if (type === 'BOOKMARK') return;
            events.push({ type, name: object.metadata?.name });
            if (events.length === 1) resolve();
          },
          () => {},
        )
        .then((req) => {
          aborts.push(() => req.abort());
        });
    });
    const aborts: (() => void)[] = [];
    await new Promise((r) => setTimeout(r, 50));
    await core.patchNode({ name: 'worker-3', body: { metadata: { labels: { a: 'b' } } } }, merge); // zone z-b: filtered
    await core.patchNode({ name: 'worker-0', body: { metadata: { labels: { a: 'b' } } } }, merge);
    await got;
    for (const abort of aborts) abort();

    expect(events).toEqual([{ type: 'MODIFIED', name: 'worker-0' }]);
  });

  it('sends BOOKMARK events with the current resourceVersion when bookmarks are allowed', async () => {
    const list = await core.listNode();
    const watch = new Watch(fleet.cluster('c1').kubeConfig());
    let abort = () => {};
    const bookmark = await new Promise<{ type: string; rv?: string }>((resolve) => {
      void watch
        .watch(
          '/api/v1/nodes',
          { resourceVersion: list.metadata?.resourceVersion, allowWatchBookmarks: true },
          (type, object) => resolve({ type, rv: object.metadata?.resourceVersion }),
          () => {},
        )
        .then((req) => {
          abort = () => req.abort();
        });
    });
    abort();

    expect(bookmark).toEqual({ type: 'BOOKMARK', rv: list.metadata?.resourceVersion });
  });

  it('answers a too-old resourceVersion with an ERROR event carrying 410 Expired', async () => {
    const old = (await core.listNode()).metadata!.resourceVersion!;
    for (let i = 0; i < 8; i++)
      await core.patchNode({ name: 'worker-0', body: { metadata: { labels: { n: String(i) } } } }, merge);

    const watch = new Watch(fleet.cluster('c1').kubeConfig());
    const error = await new Promise<{ type: string; object: { code?: number; reason?: string } }>(
      (resolve) => {
        void watch.watch(
          '/api/v1/nodes',
          { resourceVersion: old },
          (type, object) => resolve({ type, object }),
          () => {},
        );
      },
    );

    expect(error.type).toBe('ERROR');
    expect(error.object).toMatchObject({ code: 410, reason: 'Expired' });
  });
});

describe('authentication and authorisation', () => {
  it('answers 401 without a token or with a wrong one', async () => {
    const c = fleet.cluster('c1');
    const none = await rawRequest(c, '/api/v1/nodes');
    const wrongRaw = await rawRequest(c, '/api/v1/nodes', { Authorization: 'Bearer not-a-valid-token' });
    const ok = await rawRequest(c, '/api/v1/nodes', { Authorization: `Bearer ${c.token}` });

    expect(none.status).toBe(401);
    expect(JSON.parse(none.body)).toMatchObject({ kind: 'Status', reason: 'Unauthorized', code: 401 });
    expect(wrongRaw.status).toBe(401);
    expect(ok.status).toBe(200);
    const wrong = c.kubeConfig('not-a-valid-token').makeApiClient(CoreV1Api);
    expect((await apiError(wrong.listNode())).code).toBe(401);
  });

  it('lets a read-only token read but answers 403 to its writes', async () => {
    const c = fleet.cluster('c1');
    const viewer = c.kubeConfig(c.readOnlyToken).makeApiClient(CoreV1Api);
    expect((await viewer.listNode()).items).toHaveLength(4);

    const error = await apiError(
      viewer.patchNode({ name: 'worker-0', body: { spec: { unschedulable: true } } }, strategic),
    );
    expect(error.code).toBe(403);
    expect(JSON.parse(error.body).message).toBe(
      'nodes "worker-0" is forbidden: User "viewer" cannot patch resource "nodes" in API group "" at the cluster scope',
    );
    expect((await core.readNode({ name: 'worker-0' })).spec?.unschedulable).toBeUndefined();
  });
});

describe('MachineConfigs and MachineConfigPools', () => {
  const group = 'machineconfiguration.openshift.io';

  it('serves the scenario pools with selectors, maxUnavailable and computed status', async () => {
    const custom = fleet.cluster('c1').kubeConfig().makeApiClient(CustomObjectsApi);
    const pool = (await custom.getClusterCustomObject({
      group,
      version: 'v1',
      plural: 'machineconfigpools',
      name: 'worker',
    })) as {
      spec: { nodeSelector: unknown; maxUnavailable: unknown; configuration: { name: string } };
      status: { machineCount: number; updatedMachineCount: number; configuration: { name: string } };
    };
    expect(pool.spec.nodeSelector).toEqual({ matchLabels: { 'node-role.kubernetes.io/worker': '' } });
    expect(pool.spec.maxUnavailable).toBe(1);
    expect(pool.status.machineCount).toBe(4);
    expect(pool.status.configuration.name).toBe(pool.spec.configuration.name);
  });

  it('creates, patches, lists and deletes MachineConfigs', async () => {
    const custom = fleet.cluster('c1').kubeConfig().makeApiClient(CustomObjectsApi);
    const body = {
      apiVersion: `${group}/v1`,
      kind: 'MachineConfig',
      metadata: { name: '99-worker-layer', labels: { 'machineconfiguration.openshift.io/role': 'worker' } },
      spec: { osImageURL: `quay.io/acme/rhcos@sha256:${'c'.repeat(64)}` },
    };
    await custom.createClusterCustomObject({ group, version: 'v1', plural: 'machineconfigs', body });
    const duplicate = await apiError(
      custom.createClusterCustomObject({ group, version: 'v1', plural: 'machineconfigs', body }),
    );
    expect(duplicate.code).toBe(409);

    await custom.patchClusterCustomObject(
      {
        group,
        version: 'v1',
        plural: 'machineconfigs',
        name: '99-worker-layer',
        body: { spec: { kernelType: 'realtime' } },
      },
      merge,
    );
    const list = (await custom.listClusterCustomObject({
      group,
      version: 'v1',
      plural: 'machineconfigs',
      labelSelector: 'machineconfiguration.openshift.io/role=worker',
    })) as { items: { metadata: { name: string; generation: number }; spec: Record<string, unknown> }[] };
    const created = list.items.find((i) => i.metadata.name === '99-worker-layer')!;
    expect(created.spec).toEqual({ osImageURL: body.spec.osImageURL, kernelType: 'realtime' });
    expect(created.metadata.generation).toBe(2);

    await custom.deleteClusterCustomObject({
      group,
      version: 'v1',
      plural: 'machineconfigs',
      name: '99-worker-layer',
    });
    const gone = await apiError(
      custom.getClusterCustomObject({
        group,
        version: 'v1',
        plural: 'machineconfigs',
        name: '99-worker-layer',
      }),
    );
    expect(gone.code).toBe(404);
  });
});

describe('PodDisruptionBudgets', () => {
  it('reports healthy and allowed disruptions', async () => {
    const policy = fleet.cluster('c1').kubeConfig().makeApiClient(PolicyV1Api);
    const pdbs = await policy.listPodDisruptionBudgetForAllNamespaces();
    expect(
      pdbs.items.map((p) => [
        p.metadata?.name,
        p.status?.currentHealthy,
        p.status?.desiredHealthy,
        p.status?.disruptionsAllowed,
      ]),
    ).toEqual([['web-pdb', 3, 2, 1]]);
  });
});
