/**
 * `npm run bench -- agents`: the real node agent at simulator scale. One simulated cluster with 1,000 plain
 * nodes, one agent per node (agent/agent.ts with the client-node node port: its own watch, its own
 * connection pool, as the DaemonSet runs it), all in one process with the cluster's API server. Measured:
 * resident memory and CPU to start the agents, CPU while idle (watches with bookmarks), and an update of
 * 100 nodes to Staged; the baseline is the same fleet without agents, in the same run.
 */
import { CoreV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { AgentAnnotations as A } from '../agent/protocol.ts';
import { type ScenarioInput, startFleet, startNodeAgents } from '../sim/index.ts';
import { type Figure, recordResults } from './support/results.ts';

const NODES = 1000;
const UPDATED = 100;
const IDLE_MS = 20_000;
const TIME_SCALE = 60;
const MiB = 2 ** 20;
const OLD = `quay.io/acme/os@sha256:${'a'.repeat(64)}`;
const NEW = `quay.io/acme/os@sha256:${'b'.repeat(64)}`;

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
  seed: 3,
  timeScale: TIME_SCALE,
  apiServer: { watchHistory: 2000 },
  clusters: [
    {
      name: 'plain',
      pools: [
        {
          name: 'worker',
          maxUnavailable: '10%',
          baseImage: OLD,
          nodes: { count: NODES, zones: ['a', 'b', 'c'] },
        },
      ],
    },
  ],
};

const rssStart = rss();
const fleet = await startFleet(scenario);
const cluster = fleet.cluster('plain');
const epochMs = Date.now() - fleet.clock.now();
await sleep(2000);
const rssFleet = rss();

// Baseline: the fleet idling without agents.
let cpu = process.cpuUsage();
await sleep(IDLE_MS);
const baselineIdleCpuMs = cpuMs(cpu);

// Agents: start, every node reports Done.
cpu = process.cpuUsage();
let started = performance.now();
const agents = await startNodeAgents({ cluster, clock: fleet.clock, timeline: fleet.timeline, epochMs });
const core = cluster.kubeConfig().makeApiClient(CoreV1Api);
const countState = async (state: string, image?: string) =>
  (await core.listNode()).items.filter(
    (n) =>
      n.metadata?.annotations?.[A.state] === state &&
      (image === undefined || n.metadata?.annotations?.[A.stateImage] === image),
  ).length;
while ((await countState('Done')) < NODES) await sleep(250);
const startMs = performance.now() - started;
const startCpuMs = cpuMs(cpu);
await sleep(2000);
const rssAgents = rss();
const heapAgents = process.memoryUsage().heapUsed;

// Idle: watches open, bookmarks flowing, periodic host polls.
cpu = process.cpuUsage();
const requestsBefore = cluster.api.requests;
await sleep(IDLE_MS);
const idleCpuMs = cpuMs(cpu);
const idleRequests = cluster.api.requests - requestsBefore;

// An update of 100 nodes to Staged (30 s of simulated staging = 0.5 s here).
const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
cpu = process.cpuUsage();
started = performance.now();
for (let i = 0; i < UPDATED; i++)
  await core.patchNode(
    { name: `worker-${i}`, body: { metadata: { annotations: { [A.desiredImage]: NEW } } } },
    merge,
  );
while ((await countState('Staged', NEW)) < UPDATED) await sleep(100);
const stageMs = performance.now() - started;
const stageCpuMs = cpuMs(cpu);
const rssAfter = rss();

await agents.stop();
await fleet.stop();

const perAgentKiB = (rssAgents - rssFleet) / NODES / 1024;
const figures: Figure[] = [
  {
    name: `resident memory, ${NODES.toLocaleString('en-US')} nodes, no agents (baseline)`,
    value: Math.round(rssFleet / MiB),
    unit: 'MiB',
    note: `the process alone was ${Math.round(rssStart / MiB)} MiB`,
  },
  {
    name: `resident memory with ${NODES.toLocaleString('en-US')} agents running (one watch and one connection pool each)`,
    value: Math.round(rssAgents / MiB),
    unit: 'MiB',
    target: '< 1,536 MiB (the simulator budget)',
    note: `+${Math.round((rssAgents - rssFleet) / MiB)} MiB over the baseline: ${perAgentKiB.toFixed(0)} KiB per agent (client and server side of its TLS connection, watch, agent); V8 heap ${Math.round(heapAgents / MiB)} MiB`,
  },
  {
    name: `time until all ${NODES.toLocaleString('en-US')} agents reported Done`,
    value: Math.round(startMs),
    unit: 'ms',
    note: `CPU ${Math.round(startCpuMs)} ms (${(startCpuMs / NODES).toFixed(1)} ms per agent: mask, get, watch, first patch)`,
  },
  {
    name: `CPU while idle, ${NODES.toLocaleString('en-US')} agents`,
    value: Number(((idleCpuMs / IDLE_MS) * 100).toFixed(1)),
    unit: '% of one core',
    note: `over ${IDLE_MS / 1000} s; baseline (fleet without agents) ${((baselineIdleCpuMs / IDLE_MS) * 100).toFixed(1)} %; ratio ${(idleCpuMs / Math.max(1, baselineIdleCpuMs)).toFixed(1)}; ${idleRequests} API requests meanwhile (bookmarks every 5 s keep the watches open; idle polls read the simulated host only)`,
  },
  {
    name: `${UPDATED} nodes from desired image to Staged`,
    value: Math.round(stageMs),
    unit: 'ms',
    note: `wall time at timeScale ${TIME_SCALE} (30 s simulated staging = ${Math.round(30_000 / TIME_SCALE)} ms); CPU ${Math.round(stageCpuMs)} ms; RSS after ${Math.round(rssAfter / MiB)} MiB`,
  },
];

recordResults(
  'agents',
  `The real node agent at simulator scale: one simulated cluster with ${NODES.toLocaleString('en-US')} nodes and one agent per node (agent/agent.ts, client-node node port with its own watch and connection pool), all in one process with the cluster's API server; the baseline is the same fleet without agents, in the same run.`,
  figures,
);
