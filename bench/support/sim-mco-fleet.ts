/**
 * Part of `npm run bench -- sim`, run in its own process (so that its memory is its own): the same
 * 200 × 50-node fleet as OpenShift clusters running MCO's controllers (base MachineConfigs, rendered
 * configs, pools, ControllerConfig, daemons), then what the controllers cost per node update — an
 * image-layer MachineConfig rolled out on 20 of those clusters (1,000 nodes), and on one 400-node cluster
 * (the per-update cost there against the 50-node clusters shows how a sync scales with pool size).
 * Prints one JSON line: the measurements.
 */

import type { ScenarioInput } from '../../sim/index.ts';
import { startFleet } from '../../sim/index.ts';
import { cpuMs, MiB, rss } from './process-usage.ts';

const CLUSTERS = 200;
const NODES = 50;
const ROLLED = 20;
const BIG = 400;

const releases = {
  '4.18.12': {
    baseOSContainerImage: `quay.io/openshift-release-dev/ocp-v4.0-art-dev@sha256:${'1'.repeat(64)}`,
    baseOSExtensionsContainerImage: `quay.io/openshift-release-dev/ocp-v4.0-art-dev@sha256:${'2'.repeat(64)}`,
  },
};

function scenario(clusters: number, workers: number, infra: number): ScenarioInput {
  return {
    seed: 1,
    timeScale: 1,
    apiServer: { watchHistory: 200 },
    releases,
    mco: { controllers: true },
    clusters: Array.from({ length: clusters }, (_, i) => ({
      name: `cluster-${String(i).padStart(3, '0')}`,
      release: '4.18.12',
      labels: { env: i % 10 === 0 ? 'staging' : 'prod' },
      pools: [
        { name: 'worker', maxUnavailable: '10%', nodes: { count: workers, zones: ['a', 'b', 'c'] } },
        ...(infra > 0
          ? [
              {
                name: 'infra',
                maxUnavailable: 1,
                nodes: {
                  count: infra,
                  zones: ['a', 'b', 'c'],
                  labels: { 'node-role.kubernetes.io/worker': '' },
                },
              },
            ]
          : []),
      ],
      workloads: [
        { name: 'web', namespace: 'shop', replicas: 20, pool: 'worker', pdb: { minAvailable: '80%' } },
      ],
      daemonSets: [{ name: 'node-exporter', namespace: 'monitoring' }],
    })),
  };
}

const layer = {
  apiVersion: 'machineconfiguration.openshift.io/v1',
  kind: 'MachineConfig',
  metadata: {
    name: '99-strata-worker-os-image',
    labels: { 'machineconfiguration.openshift.io/role': 'worker' },
  },
  spec: { osImageURL: `quay.io/acme/rhcos-layered@sha256:${'b'.repeat(64)}` },
};

/** Rolls the image layer out on `names` (manual clock) and returns CPU ms, node updates and simulated minutes. */
async function rollOut(fleet: Awaited<ReturnType<typeof startFleet>>, names: string[]) {
  const started = process.cpuUsage();
  const t0 = fleet.clock.now();
  for (const name of names) {
    const state = fleet.cluster(name).state;
    state.machineConfigs.create(state.newObjectRecord(structuredClone(layer), undefined));
  }
  const done = () =>
    names.every((name) => {
      const state = fleet.cluster(name).state;
      return state.machineConfigPools.list().every((p) => {
        const s = state.poolStatus(p.name);
        return s.settled && s.updated && state.poolTarget(p.name).image === layer.spec.osImageURL;
      });
    });
  while (!done()) await fleet.advance(10_000);
  const updates = fleet.timeline.events.filter((e) => e.kind === 'done' && names.includes(e.cluster)).length;
  const violations = fleet.checkInvariants().violations.length;
  return { cpuMs: cpuMs(started), updates, minutes: (fleet.clock.now() - t0) / 60_000, violations };
}

const rssStart = rss();
const cpuStart = process.cpuUsage();
const startedAt = performance.now();
const fleet = await startFleet(scenario(CLUSTERS, NODES - 10, 10), { clock: 'manual' });
const startupMs = performance.now() - startedAt;
const startupCpuMs = cpuMs(cpuStart);
const rssFleet = rss();
const nodes = fleet.clusters.reduce((sum, c) => sum + c.state.nodes.size, 0);
const small = await rollOut(
  fleet,
  fleet.clusters.slice(0, ROLLED).map((c) => c.name),
);
const rssAfterRollout = rss();
await fleet.stop();

const big = await startFleet(scenario(1, BIG, 0), { clock: 'manual' });
const large = await rollOut(big, [big.clusters[0]!.name]);
await big.stop();

process.stdout.write(
  `${JSON.stringify({
    clusters: CLUSTERS,
    nodesPerCluster: NODES,
    nodes,
    startupMs,
    startupCpuMs,
    rssStartMiB: rssStart / MiB,
    rssFleetMiB: rssFleet / MiB,
    rssAfterRolloutMiB: rssAfterRollout / MiB,
    small: { clusters: ROLLED, ...small },
    large: { nodes: BIG, ...large },
  })}\n`,
);
