/**
 * Part of `npm run bench -- sim`, run in its own process (so that its memory is its own): a fleet of plain
 * Kubernetes clusters (`CLUSTERS` × `NODES`) on a given node behaviour. `node sim-agent-fleet.ts
 * annotation-daemon` is the baseline; `strata-agent` runs the real node agent on every node with the
 * given node port (`shared` or `client-node`). Measured: start-up until every node reports (for agents:
 * every node's `strata.io/state` is Done, read through the API), CPU, resident memory, and CPU while idle.
 * Prints one JSON line.
 */
import { CoreV1Api } from '@kubernetes/client-node';
import { AgentAnnotations as A } from '../../agent/protocol.ts';
import { type ScenarioInput, startFleet } from '../../sim/index.ts';

const [behaviour = 'strata-agent', nodePort = 'shared', clusters = '10', nodes = '100'] =
  process.argv.slice(2);
const CLUSTERS = Number(clusters);
const NODES = Number(nodes);
const IDLE_MS = 10_000;
const MiB = 2 ** 20;

const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
const rss = () => {
  gc();
  gc();
  return process.memoryUsage().rss;
};
const cpuMs = (since: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const scenario: ScenarioInput = {
  seed: 1,
  timeScale: 60,
  apiServer: { watchHistory: 2 * NODES },
  ...(behaviour === 'strata-agent' ? { agent: { nodePort: nodePort as 'shared' | 'client-node' } } : {}),
  clusters: Array.from({ length: CLUSTERS }, (_, i) => ({
    name: `edge-${String(i).padStart(2, '0')}`,
    kind: 'kubernetes' as const,
    nodeBehaviour: behaviour,
    labels: { env: 'prod' },
    pools: [
      {
        name: 'worker',
        maxUnavailable: '10%',
        baseImage: `quay.io/strata/fedora-bootc@sha256:${'e'.repeat(64)}`,
        nodes: { count: NODES, zones: ['a', 'b', 'c'] },
      },
    ],
    workloads: [{ name: 'web', namespace: 'shop', replicas: 20, pdb: { minAvailable: '80%' } }],
    daemonSets: [{ name: 'node-exporter', namespace: 'monitoring' }],
  })),
};

const rssStart = rss();
const cpu = process.cpuUsage();
const started = performance.now();
const fleet = await startFleet(scenario);
const fleetMs = performance.now() - started;
if (behaviour === 'strata-agent') {
  // Every node reports Done through the API (what a control plane would wait for).
  for (const cluster of fleet.clusters) {
    const core = cluster.kubeConfig().makeApiClient(CoreV1Api);
    const done = async () =>
      (await core.listNode()).items.filter((n) => n.metadata?.annotations?.[A.state] === 'Done').length;
    while ((await done()) < NODES) await sleep(100);
  }
}
const startupMs = performance.now() - started;
const startupCpuMs = cpuMs(cpu);
await sleep(2000);
const rssFleet = rss();
const heapFleet = process.memoryUsage().heapUsed;
const idle = process.cpuUsage();
await sleep(IDLE_MS);
const idleCpuMs = cpuMs(idle);
await fleet.stop();

process.stdout.write(
  `${JSON.stringify({
    behaviour,
    nodePort,
    clusters: CLUSTERS,
    nodes: CLUSTERS * NODES,
    fleetMs,
    startupMs,
    startupCpuMs,
    rssStartMiB: rssStart / MiB,
    rssFleetMiB: rssFleet / MiB,
    heapFleetMiB: heapFleet / MiB,
    idleCpuPercent: (idleCpuMs / IDLE_MS) * 100,
  })}\n`,
);
process.exit(0);
