/**
 * The simulator's Kubernetes API server under the HTTP fuzz corpus (test/support/http-fuzz.ts), over TLS:
 * malformed request targets, encodings, request lines, headers, framing and bodies, authenticated and not,
 * plus seeded mutations of a client's requests. No answer is a 5xx, every malformed input gets a 4xx, and the
 * server keeps serving.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Fleet, type FleetCluster, startFleet } from '../../sim/index.ts';
import {
  exchange,
  type FuzzTarget,
  malformedCorpus,
  mutatedCorpus,
  request,
  runCorpus,
} from '../support/http-fuzz.ts';
import { smallScenario } from './support.ts';

let fleet: Fleet;
let cluster: FleetCluster;
let target: FuzzTarget;

beforeAll(async () => {
  fleet = await startFleet(smallScenario(), { clock: 'manual' });
  cluster = fleet.cluster('c1');
  const url = new URL(cluster.server);
  target = { host: url.hostname, port: Number(url.port), tls: { ca: Buffer.from(cluster.caData, 'base64') } };
}, 60_000);

afterAll(async () => {
  await fleet?.stop();
});

describe('simulated API server under fuzzing', () => {
  it('answers every malformed request with a 4xx, never a 5xx, and keeps serving', async () => {
    // Prepare
    const auth = `Authorization: Bearer ${cluster.token}`;
    const paths = [
      '/api/v1/nodes',
      '/api/v1/namespaces/default/pods',
      '/apis/machineconfiguration.openshift.io/v1/machineconfigs',
    ];
    const corpus = [
      ...malformedCorpus(paths, [auth]).map((c) => ({ ...c, name: `authenticated ${c.name}` })),
      ...malformedCorpus(paths),
      ...mutatedCorpus(
        [
          request('GET', '/api/v1/nodes?labelSelector=node-role.kubernetes.io%2Fworker%3D&limit=2', [auth]),
          request(
            'PATCH',
            '/api/v1/nodes/worker-0',
            [auth, 'Content-Type: application/merge-patch+json'],
            '{"spec":{"unschedulable":true}}',
          ),
          request('GET', '/api/v1/nodes?watch=true&timeoutSeconds=1', [auth]),
          request(
            'POST',
            '/api/v1/namespaces/shop/pods/web-0/eviction',
            [auth, 'Content-Type: application/json'],
            '{"apiVersion":"policy/v1","kind":"Eviction"}',
          ),
        ],
        200,
        'sim-api',
      ),
    ];

    // Act
    const { violations } = await runCorpus(target, corpus, { timeoutMs: 1500, concurrency: 8 });

    // Assess
    expect(violations).toEqual([]);
    const health = await exchange(target, request('GET', '/api/v1/nodes?limit=1', [auth]));
    expect(health.status).toBe(200);
  }, 300_000);
});
