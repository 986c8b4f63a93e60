import { connect } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { NodeAnnotations as A } from '../../functions/core/model.ts';
import { type Fleet, type FleetCluster, startFleet } from '../../sim/index.ts';
import { openshiftScenario, rawRequest, smallScenario } from './support.ts';

// Objects read through the API are loosely typed JSON.
// biome-ignore lint/suspicious/noExplicitAny: see above
type Obj = Record<string, any>;

let fleet: Fleet | undefined;
afterEach(async () => {
  await fleet?.stop();
  fleet = undefined;
});

async function cluster(scenario = smallScenario(), name = 'c1'): Promise<FleetCluster> {
  fleet = await startFleet(scenario, { clock: 'manual' });
  return fleet.cluster(name);
}

/** A request as a client sends it: admin token, JSON body. */
async function call(
  c: FleetCluster,
  method: string,
  path: string,
  body?: unknown,
  contentType = 'application/json',
) {
  const res = await rawRequest(
    c,
    path,
    { Authorization: `Bearer ${c.token}`, ...(body !== undefined ? { 'Content-Type': contentType } : {}) },
    {
      method,
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    },
  );
  let json: Obj = {};
  try {
    json = JSON.parse(res.body) as Obj;
  } catch {
    // not JSON (a watch stream): callers read res.body
  }
  return { ...res, json };
}
const names = (list: Obj) => (list.items as Obj[]).map((i) => i.metadata.name);
const q = encodeURIComponent;

describe('list parameters, parsed as the API server does', () => {
  it('filters with set-based, existence and numeric label selectors', async () => {
    const c = await cluster();
    for (const [node, tier] of [
      ['worker-0', 'gold'],
      ['worker-1', 'silver'],
      ['worker-2', '7'],
    ])
      await call(
        c,
        'PATCH',
        `/api/v1/nodes/${node}`,
        { metadata: { labels: { tier } } },
        'application/merge-patch+json',
      );

    const select = async (selector: string) =>
      names((await call(c, 'GET', `/api/v1/nodes?labelSelector=${q(selector)}`)).json);
    expect(await select('tier in (gold, silver)')).toEqual(['worker-0', 'worker-1']);
    expect(await select('tier notin (gold),tier')).toEqual(['worker-1', 'worker-2']);
    expect(await select('!tier')).toEqual(['worker-3']);
    expect(await select('tier>5')).toEqual(['worker-2']);
    expect(await select('tier!=gold,topology.kubernetes.io/zone=z-a')).toEqual(['worker-2']);
    expect(await select('tier in (gold,)')).toEqual(['worker-0']);

    for (const [bad, message] of [
      ['tier in gold', "found 'gold', expected: '('"],
      ['tier in (gold', "expected: ',', ')' or identifier"],
      ['ti er=gold', 'expected: in, notin, =, ==, !=, gt, lt'],
      ['tier>gold', 'the value must be an integer'],
      ['-tier=gold', 'key: Invalid value: "-tier"'],
      ['tier=gold,', "found 'EOF'"],
    ]) {
      const res = await call(c, 'GET', `/api/v1/nodes?labelSelector=${q(bad!)}`);
      expect(res.status, bad).toBe(400);
      expect(res.json).toMatchObject({ kind: 'Status', reason: 'BadRequest' });
      expect(res.json.message, bad).toContain(message);
    }
  });

  it('filters with field selectors (escapes included) and refuses unsupported fields', async () => {
    const c = await cluster();
    expect(
      names((await call(c, 'GET', `/api/v1/nodes?fieldSelector=${q('metadata.name=worker-1')}`)).json),
    ).toEqual(['worker-1']);
    expect(
      names(
        (
          await call(
            c,
            'GET',
            `/api/v1/nodes?fieldSelector=${q('metadata.name!=worker-1,spec.unschedulable=false')}`,
          )
        ).json,
      ),
    ).toEqual(['worker-0', 'worker-2', 'worker-3']);
    expect(
      names((await call(c, 'GET', `/api/v1/nodes?fieldSelector=${q('metadata.name=a\\,b')}`)).json),
    ).toEqual([]);
    const unsupported = await call(c, 'GET', `/api/v1/nodes?fieldSelector=${q('status.phase=Running')}`);
    expect([unsupported.status, unsupported.json.message]).toEqual([
      400,
      'field label not supported: status.phase',
    ]);
    const badEscape = await call(c, 'GET', `/api/v1/nodes?fieldSelector=${q('metadata.name=a\\b')}`);
    expect(badEscape.status).toBe(400);
    expect(badEscape.json.message).toContain('invalid escape sequence');
  });

  it('pages with limit and continue, and refuses bad values of either', async () => {
    const c = await cluster();
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const page = (await call(c, 'GET', `/api/v1/pods?limit=4${token ? `&continue=${q(token)}` : ''}`)).json;
      seen.push(...names(page));
      token = page.metadata.continue;
    } while (token);
    expect(seen).toEqual(c.state.pods.list().map((p) => p.name));

    expect((await call(c, 'GET', '/api/v1/pods?limit=x')).status).toBe(400);
    expect((await call(c, 'GET', '/api/v1/pods?limit=-1')).status).toBe(422);
    const bad = await call(c, 'GET', '/api/v1/pods?continue=not-a-token');
    expect([bad.status, bad.json.message]).toEqual([
      400,
      'continue key is not valid: the continue token is malformed',
    ]);
  });

  it('applies resourceVersion and resourceVersionMatch as ListOptions validation does', async () => {
    const c = await cluster();
    const list = (await call(c, 'GET', '/api/v1/nodes')).json;
    const rv = Number(list.metadata.resourceVersion);
    expect(
      (await call(c, 'GET', `/api/v1/nodes?resourceVersion=${rv}&resourceVersionMatch=Exact`)).status,
    ).toBe(200);
    expect((await call(c, 'GET', '/api/v1/nodes?resourceVersionMatch=NotOlderThan')).status).toBe(422);
    expect((await call(c, 'GET', '/api/v1/nodes?resourceVersion=0&resourceVersionMatch=Exact')).status).toBe(
      422,
    );
    expect(
      (await call(c, 'GET', `/api/v1/nodes?resourceVersion=${rv}&resourceVersionMatch=Sometimes`)).status,
    ).toBe(422);
    await call(
      c,
      'PATCH',
      '/api/v1/nodes/worker-0',
      { metadata: { labels: { x: 'y' } } },
      'application/merge-patch+json',
    );
    const gone = await call(c, 'GET', `/api/v1/nodes?resourceVersion=${rv}&resourceVersionMatch=Exact`);
    expect([gone.status, gone.json.reason]).toEqual([410, 'Expired']);
    const future = await call(
      c,
      'GET',
      `/api/v1/nodes?resourceVersion=${rv + 1000}&resourceVersionMatch=NotOlderThan`,
    );
    expect([future.status, future.json.reason]).toEqual([504, 'Timeout']);
    expect((await call(c, 'GET', '/api/v1/nodes?resourceVersion=abc')).status).toBe(400);
  });

  it('serves a watch-list: initial events then a bookmark that ends them; refuses what the API server refuses', async () => {
    const c = await cluster();
    const base = '/api/v1/nodes?watch=true&timeoutSeconds=1';
    const stream = await call(
      c,
      'GET',
      `${base}&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true`,
    );
    const events = stream.body
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Obj);
    expect(events.slice(0, 4).map((e) => e.type)).toEqual(['ADDED', 'ADDED', 'ADDED', 'ADDED']);
    expect(events[4]).toMatchObject({
      type: 'BOOKMARK',
      object: { metadata: { annotations: { 'k8s.io/initial-events-end': 'true' } } },
    });

    expect((await call(c, 'GET', `${base}&sendInitialEvents=true`)).status).toBe(422);
    expect(
      (await call(c, 'GET', `${base}&sendInitialEvents=true&resourceVersionMatch=NotOlderThan`)).status,
    ).toBe(422);
    expect((await call(c, 'GET', `${base}&resourceVersionMatch=NotOlderThan`)).status).toBe(422);
    expect((await call(c, 'GET', '/api/v1/nodes?watch=maybe')).status).toBe(400);
    expect((await call(c, 'GET', '/api/v1/nodes?watch=true&timeoutSeconds=soon')).status).toBe(400);
  });
});

describe('writes: dryRun, DeleteOptions, Events', () => {
  it('validates a dryRun=All write without storing it, and refuses other dryRun values', async () => {
    const c = await cluster();
    const mc = {
      apiVersion: 'machineconfiguration.openshift.io/v1',
      kind: 'MachineConfig',
      metadata: { name: '50-dry', labels: { 'machineconfiguration.openshift.io/role': 'worker' } },
      spec: { kernelArguments: ['nosmt'] },
    };
    const created = await call(
      c,
      'POST',
      '/apis/machineconfiguration.openshift.io/v1/machineconfigs?dryRun=All',
      mc,
    );
    expect(created.status).toBe(201);
    expect(created.json.metadata.name).toBe('50-dry');
    expect(c.state.machineConfigs.get(undefined, '50-dry')).toBeUndefined();

    const patched = await call(
      c,
      'PATCH',
      '/api/v1/nodes/worker-0?dryRun=All',
      { spec: { unschedulable: true } },
      'application/merge-patch+json',
    );
    expect([patched.status, patched.json.spec.unschedulable]).toEqual([200, true]);
    expect(c.state.nodes.get(undefined, 'worker-0')!.unschedulable).toBe(false);

    const deleted = await call(c, 'DELETE', '/api/v1/nodes/worker-3?dryRun=All');
    expect(deleted.status).toBe(200);
    expect(c.state.nodes.get(undefined, 'worker-3')).toBeDefined();

    const pod = c.state.evictablePods('worker-1')[0]!;
    const eviction = await call(
      c,
      'POST',
      `/api/v1/namespaces/${pod.namespace}/pods/${pod.name}/eviction?dryRun=All`,
      {
        apiVersion: 'policy/v1',
        kind: 'Eviction',
        metadata: { name: pod.name, namespace: pod.namespace },
      },
    );
    expect(eviction.status).toBe(201);
    expect(c.state.pods.get(pod.namespace, pod.name)).toBeDefined();

    const bad = await call(
      c,
      'PATCH',
      '/api/v1/nodes/worker-0?dryRun=Some',
      { spec: {} },
      'application/merge-patch+json',
    );
    expect([bad.status, bad.json.reason]).toEqual([422, 'Invalid']);
    expect(
      c.state.events.list().filter((e) => (e.object as Obj).source?.component === 'strata-sim-apiserver'),
    ).toEqual([]);
  });

  it('deletes with preconditions and propagation: dependents collected (Background) or released (Orphan)', async () => {
    const c = await cluster(openshiftScenario(), 'ocp');
    const pools = '/apis/machineconfiguration.openshift.io/v1/machineconfigpools';
    const canary = {
      apiVersion: 'machineconfiguration.openshift.io/v1',
      kind: 'MachineConfigPool',
      metadata: { name: 'canary' },
      spec: {
        machineConfigSelector: {
          matchExpressions: [
            { key: 'machineconfiguration.openshift.io/role', operator: 'In', values: ['worker', 'canary'] },
          ],
        },
        nodeSelector: { matchLabels: { 'node-role.kubernetes.io/canary': '' } },
      },
    };
    for (const name of ['canary', 'canary2']) {
      const created = await call(c, 'POST', pools, { ...canary, metadata: { name } });
      expect(created.status).toBe(201);
    }
    await fleet!.advance(10_000); // the render controller renders both
    const rendered = (pool: string) =>
      c.state.machineConfigs
        .list()
        .filter((m) => (m.object.metadata.ownerReferences as Obj[] | undefined)?.[0]?.name === pool);
    expect(rendered('canary')).toHaveLength(1);
    expect(rendered('canary2')).toHaveLength(1);

    const uid = c.state.machineConfigPools.get(undefined, 'canary')!.uid;
    const wrong = await call(c, 'DELETE', `${pools}/canary`, {
      kind: 'DeleteOptions',
      apiVersion: 'v1',
      preconditions: { uid: 'other' },
    });
    expect([wrong.status, wrong.json.reason]).toEqual([409, 'Conflict']);
    expect(wrong.json.message).toBe(
      `Precondition failed: UID in precondition: other, UID in object meta: ${uid}`,
    );
    const badPolicy = await call(c, 'DELETE', `${pools}/canary?propagationPolicy=Eventually`);
    expect(badPolicy.status).toBe(422);

    const orphan = await call(c, 'DELETE', `${pools}/canary`, {
      kind: 'DeleteOptions',
      apiVersion: 'v1',
      propagationPolicy: 'Orphan',
      preconditions: { uid },
    });
    expect(orphan.status).toBe(200);
    const kept = c.state.machineConfigs.list().filter((m) => m.name.startsWith('rendered-canary-'));
    expect(kept).toHaveLength(1);
    expect(kept[0]!.object.metadata.ownerReferences).toBeUndefined();

    const background = await call(c, 'DELETE', `${pools}/canary2`, {
      kind: 'DeleteOptions',
      apiVersion: 'v1',
      propagationPolicy: 'Background',
    });
    expect(background.status).toBe(200);
    expect(c.state.machineConfigs.list().filter((m) => m.name.startsWith('rendered-canary2-'))).toEqual([]);
  });

  it('records every client write as an Event on the object, with what changed', async () => {
    const c = await cluster();
    await call(
      c,
      'PATCH',
      '/api/v1/nodes/worker-2',
      {
        metadata: { annotations: { [A.desiredConfig]: 'rendered-worker-x' } },
        spec: { unschedulable: true },
      },
      'application/merge-patch+json',
    );
    const events = (
      await call(
        c,
        'GET',
        `/api/v1/namespaces/default/events?fieldSelector=${q('involvedObject.name=worker-2,reason=Patched')}`,
      )
    ).json;
    expect(events.items).toHaveLength(1);
    expect(events.items[0]).toMatchObject({
      type: 'Normal',
      reason: 'Patched',
      involvedObject: { kind: 'Node', name: 'worker-2', apiVersion: 'v1' },
      source: { component: 'strata-sim-apiserver' },
    });
    expect(events.items[0].message).toBe(
      `admin patched node worker-2: metadata.annotations[${A.desiredConfig}]=rendered-worker-x, spec.unschedulable=true`,
    );
  });
});

describe('malformed requests', () => {
  /** A raw TLS exchange (what an HTTP client would not send). */
  function rawExchange(c: FleetCluster, request: string): Promise<string> {
    const url = new URL(c.server);
    return new Promise((resolve, reject) => {
      const socket = connect(
        { host: url.hostname, port: Number(url.port), ca: Buffer.from(c.caData, 'base64') },
        () => socket.end(request),
      );
      let text = '';
      socket.setEncoding('utf8');
      socket.on('data', (d: string) => {
        text += d;
      });
      socket.on('end', () => resolve(text));
      socket.on('close', () => resolve(text));
      socket.on('error', reject);
    });
  }

  it('answers each with a 4xx Status and keeps serving', async () => {
    const c = await cluster();
    const auth = `Authorization: Bearer ${c.token}\r\n`;
    const cases: [string, number, string][] = [
      ['/api/v1/nodes/%zz', 400, 'invalid URL escape'],
      ['/api/v1/nodes?labelSelector=%E0%A4%A', 400, 'invalid URL escape'],
      ['/api/v1/nodes/%C3%28', 400, 'not UTF-8'],
      ['//', 404, 'the server could not find the requested resource'],
      ['/api/v1//nodes', 404, 'the server could not find the requested resource'],
      ['/api/v1/namespaces/default/pods/../../nodes', 400, '".." segments are not allowed'],
    ];
    for (const [path, status, message] of cases) {
      const res = await rawExchange(c, `GET ${path} HTTP/1.1\r\nHost: x\r\n${auth}Connection: close\r\n\r\n`);
      expect(res.split('\r\n')[0], path).toBe(
        `HTTP/1.1 ${status} ${status === 400 ? 'Bad Request' : 'Not Found'}`,
      );
      const body = JSON.parse(res.slice(res.indexOf('\r\n\r\n') + 4)) as Obj;
      expect(body.kind, path).toBe('Status');
      expect(body.message, path).toContain(message);
    }

    const notJson = await call(
      c,
      'PATCH',
      '/api/v1/nodes/worker-0',
      '{"metadata":',
      'application/merge-patch+json',
    );
    expect([notJson.status, notJson.json.reason]).toEqual([400, 'BadRequest']);
    expect(notJson.json.message).toMatch(/^the request body is not valid JSON/);
    const array = await call(c, 'POST', '/apis/machineconfiguration.openshift.io/v1/machineconfigs', '[1,2]');
    expect(array.status).toBe(400);
    const nullPatch = await call(
      c,
      'PATCH',
      '/api/v1/nodes/worker-0',
      'null',
      'application/merge-patch+json',
    );
    expect(nullPatch.status).toBe(422);
    const badRv = await call(c, 'PUT', '/api/v1/nodes/worker-0', {
      metadata: { name: 'worker-0', resourceVersion: 'abc' },
    });
    expect(badRv.status).toBe(400);

    const huge = await rawExchange(
      c,
      `GET /api/v1/nodes HTTP/1.1\r\nHost: x\r\n${auth}X-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
    );
    expect(huge.split('\r\n')[0]).toBe('HTTP/1.1 431 RequestHeaderFieldsTooLarge');
    expect(JSON.parse(huge.slice(huge.indexOf('\r\n\r\n') + 4))).toMatchObject({ kind: 'Status', code: 431 });
    const garbage = await rawExchange(c, 'NOT AN HTTP REQUEST\r\n\r\n');
    expect(garbage.split('\r\n')[0]).toBe('HTTP/1.1 400 BadRequest');

    expect((await call(c, 'GET', '/api/v1/nodes')).status).toBe(200);
  });
});
