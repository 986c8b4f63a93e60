import { request } from 'node:https';
import type { ScenarioInput } from '../../sim/index.ts';

export const baseImage = `quay.io/acme/rhcos@sha256:${'a'.repeat(64)}`;
export const newImage = `quay.io/acme/rhcos@sha256:${'b'.repeat(64)}`;

/** A small fleet: one cluster "c1" with a 4-node worker pool (maxUnavailable 1), a web workload with a PDB. */
export function smallScenario(overrides: Partial<ScenarioInput> = {}): ScenarioInput {
  return {
    seed: 7,
    timeScale: 1000,
    timing: { react: '1s', rebase: '10s', reboot: '20s', evictionReturn: '5s', jitter: 0.2 },
    clusters: [
      {
        name: 'c1',
        labels: { env: 'test' },
        pools: [
          {
            name: 'worker',
            maxUnavailable: 1,
            baseImage,
            nodes: { count: 4, zones: ['z-a', 'z-b'] },
          },
        ],
        workloads: [{ name: 'web', namespace: 'shop', replicas: 3, pdb: { minAvailable: 2 } }],
        daemonSets: [{ name: 'node-exporter', namespace: 'monitoring' }],
      },
    ],
    ...overrides,
  };
}

/** One raw HTTPS request to a simulated cluster (trusting its certificate), for what clients hide. */
export function rawRequest(
  cluster: { server: string; caData: string },
  path: string,
  headers: Record<string, string> = {},
  options: { method?: string; body?: string } = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${cluster.server}${path}`,
      {
        ca: Buffer.from(cluster.caData, 'base64'),
        method: options.method ?? 'GET',
        // Node sends a DELETE body without framing unless told its length.
        headers:
          options.body !== undefined
            ? { ...headers, 'Content-Length': String(Buffer.byteLength(options.body)) }
            : headers,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

export const releaseImages = {
  '4.16.40': `quay.io/openshift-release-dev/ocp-v4.0-art-dev@sha256:${'4'.repeat(64)}`,
  '4.18.12': `quay.io/openshift-release-dev/ocp-v4.0-art-dev@sha256:${'1'.repeat(64)}`,
  '4.20.3': `quay.io/openshift-release-dev/ocp-v4.0-art-dev@sha256:${'3'.repeat(64)}`,
};
const extensionsOf = (base: string) => base.replace(/@sha256:(.)/, '@sha256:e');

/** The releases the OpenShift test scenarios use. */
export const testReleases = Object.fromEntries(
  Object.entries(releaseImages).map(([version, base]) => [
    version,
    { baseOSContainerImage: base, baseOSExtensionsContainerImage: extensionsOf(base) },
  ]),
);

/**
 * One OpenShift cluster "ocp" running MCO's controllers (release 4.18.12 unless told): a 5-node worker
 * pool (maxUnavailable 2) in two zones and a 2-node infra pool whose nodes also carry the worker label,
 * a PDB-protected workload and a DaemonSet. MCO's work-queue delays (5 s).
 */
export function openshiftScenario(
  overrides: { release?: string; workerMaxUnavailable?: number | string; paused?: boolean } = {},
): ScenarioInput {
  return {
    seed: 11,
    timeScale: 1000,
    timing: { react: '1s', rebase: '10s', reboot: '20s', evictionReturn: '5s', jitter: 0.2 },
    releases: testReleases,
    mco: { controllers: true },
    clusters: [
      {
        name: 'ocp',
        release: overrides.release ?? '4.18.12',
        labels: { env: 'test' },
        pools: [
          {
            name: 'worker',
            maxUnavailable: overrides.workerMaxUnavailable ?? 2,
            paused: overrides.paused ?? false,
            nodes: { count: 5, zones: ['z-a', 'z-b'] },
          },
          {
            name: 'infra',
            nodes: { count: 2, zones: ['z-a'], labels: { 'node-role.kubernetes.io/worker': '' } },
          },
        ],
        workloads: [
          { name: 'web', namespace: 'shop', replicas: 3, pool: 'worker', pdb: { minAvailable: 2 } },
        ],
        daemonSets: [{ name: 'node-exporter', namespace: 'monitoring' }],
      },
    ],
  };
}
