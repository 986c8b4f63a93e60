/**
 * `npm run bench -- agents`: the real node agent at simulator scale. One simulated cluster with 1,000 plain
 * nodes, one agent per node (agent/agent.ts with the client-node node port: its own watch, its own
 * connection pool, as the DaemonSet runs it), all in one process with the cluster's API server. Measured:
 * resident memory and CPU to start the agents, CPU while idle (watches with bookmarks), and an update of
 * 100 nodes to Staged; the baseline is the same fleet without agents, in the same process. Each mode
 * (`per-agent`, as the DaemonSet runs; `shared`, one connection pool for all agents of the cluster;
 * `shared-port`, the simulator's shared node port: one informer for the cluster, one pool) runs in a
 * process of its own so that memory figures do not mix.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
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

type Mode = 'per-agent' | 'shared' | 'shared-port';

interface Measured {
  rssStart: number;
  rssFleet: number;
  rssAgents: number;
  heapAgents: number;
  startMs: number;
  startCpuMs: number;
  baselineIdleCpuMs: number;
  idleCpuMs: number;
  idleRequests: number;
  stageMs: number;
  stageCpuMs: number;
  rssAfter: number;
}

async function measure(mode: Mode): Promise<Measured> {
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
  const agents = await startNodeAgents(
    { cluster, clock: fleet.clock, timeline: fleet.timeline, epochMs },
    mode === 'shared-port' ? { nodePort: 'shared' } : { connectionPool: mode },
  );
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

  return {
    rssStart,
    rssFleet,
    rssAgents,
    heapAgents,
    startMs,
    startCpuMs,
    baselineIdleCpuMs,
    idleCpuMs,
    idleRequests,
    stageMs,
    stageCpuMs,
    rssAfter,
  };
}

const mode = process.argv[2] as Mode | undefined;
if (mode) {
  process.stdout.write(`${JSON.stringify(await measure(mode))}\n`);
  process.exit(0);
}

const runs = new Map<Mode, Measured>();
for (const each of ['per-agent', 'shared', 'shared-port'] as const) {
  const child = spawnSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), each], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 16 * 1024 * 1024,
  });
  if (child.status !== 0) throw new Error(`agents bench (${each}) failed with exit ${child.status}`);
  runs.set(each, JSON.parse(child.stdout.trim().split('\n').at(-1)!) as Measured);
}

const own = runs.get('per-agent')!;
const shared = runs.get('shared')!;
const port = runs.get('shared-port')!;
const perAgentKiB = (m: Measured) => (m.rssAgents - m.rssFleet) / NODES / 1024;
const idlePercent = (ms: number) => (ms / IDLE_MS) * 100;
const n = NODES.toLocaleString('en-US');
const figures: Figure[] = [
  {
    name: `resident memory, ${n} nodes, no agents (baseline)`,
    value: Math.round(own.rssFleet / MiB),
    unit: 'MiB',
    note: `the process alone was ${Math.round(own.rssStart / MiB)} MiB`,
  },
  {
    name: `resident memory with ${n} agents, a connection pool each (as the DaemonSet)`,
    value: Math.round(own.rssAgents / MiB),
    unit: 'MiB',
    target: '< 1,536 MiB (the simulator budget)',
    note: `+${Math.round((own.rssAgents - own.rssFleet) / MiB)} MiB over the baseline: ${perAgentKiB(own).toFixed(0)} KiB per agent (client and server side of its TLS connections, watch, agent); V8 heap ${Math.round(own.heapAgents / MiB)} MiB`,
  },
  {
    name: `resident memory with ${n} agents sharing one pool`,
    value: Math.round(shared.rssAgents / MiB),
    unit: 'MiB',
    target: '< 1,536 MiB (the simulator budget)',
    note: `+${Math.round((shared.rssAgents - shared.rssFleet) / MiB)} MiB over its baseline: ${perAgentKiB(shared).toFixed(0)} KiB per agent; ratio to a pool each ${(perAgentKiB(shared) / perAgentKiB(own)).toFixed(2)}`,
  },
  {
    name: `resident memory with ${n} agents on the shared node port (one informer, one pool)`,
    value: Math.round(port.rssAgents / MiB),
    unit: 'MiB',
    target: '< 1,536 MiB (the simulator budget)',
    note: `+${Math.round((port.rssAgents - port.rssFleet) / MiB)} MiB over its baseline: ${perAgentKiB(port).toFixed(0)} KiB per agent; ratio to a pool each ${(perAgentKiB(port) / perAgentKiB(own)).toFixed(2)}`,
  },
  {
    name: `time until all ${n} agents reported Done, a pool each`,
    value: Math.round(own.startMs),
    unit: 'ms',
    note: `CPU ${Math.round(own.startCpuMs)} ms (${(own.startCpuMs / NODES).toFixed(1)} ms per agent: mask, get, watch, first patch; 50 starting at once)`,
  },
  {
    name: `time until all ${n} agents reported Done, one shared pool`,
    value: Math.round(shared.startMs),
    unit: 'ms',
    note: `CPU ${Math.round(shared.startCpuMs)} ms (${(shared.startCpuMs / NODES).toFixed(1)} ms per agent); CPU ratio to a pool each ${(shared.startCpuMs / own.startCpuMs).toFixed(2)}`,
  },
  {
    name: `time until all ${n} agents reported Done, shared node port`,
    value: Math.round(port.startMs),
    unit: 'ms',
    note: `CPU ${Math.round(port.startCpuMs)} ms (${(port.startCpuMs / NODES).toFixed(1)} ms per agent: mask, get, first patch; the watch is the cluster's one informer); CPU ratio to a pool each ${(port.startCpuMs / own.startCpuMs).toFixed(2)}`,
  },
  {
    name: `CPU while idle, ${n} agents, a pool each`,
    value: Number(idlePercent(own.idleCpuMs).toFixed(1)),
    unit: '% of one core',
    note: `over ${IDLE_MS / 1000} s; baseline (fleet without agents) ${idlePercent(own.baselineIdleCpuMs).toFixed(1)} %; ${own.idleRequests} API requests meanwhile (bookmarks every 5 s keep the watches open; idle polls read the simulated host only); shared pool ${idlePercent(shared.idleCpuMs).toFixed(1)} %; shared node port ${idlePercent(port.idleCpuMs).toFixed(1)} % (${port.idleRequests} requests)`,
  },
  {
    name: `${UPDATED} nodes from desired image to Staged, a pool each`,
    value: Math.round(own.stageMs),
    unit: 'ms',
    note: `wall time at timeScale ${TIME_SCALE} (30 s simulated staging = ${Math.round(30_000 / TIME_SCALE)} ms); CPU ${Math.round(own.stageCpuMs)} ms; shared pool ${Math.round(shared.stageMs)} ms, CPU ${Math.round(shared.stageCpuMs)} ms; shared node port ${Math.round(port.stageMs)} ms, CPU ${Math.round(port.stageCpuMs)} ms`,
  },
];

recordResults(
  'agents',
  `The real node agent at simulator scale: one simulated cluster with ${n} nodes and one agent per node (agent/agent.ts), all in one process with the cluster's API server. Three runs, each in its own process: the client-node node port (its own watch) with a connection pool per agent (as the DaemonSet runs) and with one pool shared by the cluster's agents (sim option connectionPool: 'shared'); and the simulator's shared node port (nodePort: 'shared': one informer for the cluster dispatching to the agents, reads and patches over one pool). The baseline is the same fleet without agents, in the same process.`,
  figures,
);
