/**
 * Runs the real node agent (agent/agent.ts: the state machine and the client-node node port the
 * DaemonSet runs) on every node of a simulated cluster, each with a simulated host (sim/host.ts) behind
 * its host port. The agents talk to the cluster's API server over HTTPS like the DaemonSet's pods do
 * (each with its own watch, or, for large fleets, through one shared informer per cluster:
 * sim/shared-node-port.ts). A reboot takes the node NotReady and stops its agent; the new boot brings the
 * node back Ready and starts a new agent, as after a real reboot. Nodes added later get an agent, removed
 * ones lose theirs. Registered as the `strata-agent` node behaviour of plain Kubernetes clusters.
 *
 * Timeline (for the invariant checker): a reboot request from the control plane is `desired` (checked
 * for a drained, cordoned node like the MCO daemon's desired config), Staging/Staged are `working`, the
 * host going down and up are `reboot` / `ready`, Done and Degraded are `done` / `degraded`, and a new
 * `strata.io/desired-image` is `desired-image` (with who wrote it, for the flip rule).
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { NodeAgent } from '../agent/agent.ts';
import type { AgentClock } from '../agent/clock.ts';
import { jsonLogger, type Logger, type LogLevel, silentLogger } from '../agent/log.ts';
import { KubeNodePort, PooledKubeConfig } from '../agent/node/kube.ts';
import { AgentAnnotations as A } from '../agent/protocol.ts';
import { DEFAULT_TIMEOUTS, type Timeouts } from '../agent/state-machine.ts';
import type { SimClock } from './clock.ts';
import type { NodeRecord } from './cluster.ts';
import { FleetError } from './errors.ts';
import { drawHostFaults, type FaultRule } from './faults.ts';
import type { FleetCluster, NodeBehaviour } from './fleet.ts';
import { SimHost, type SimHostFaults, type SimHostTiming } from './host.ts';
import { derivePrng } from './prng.ts';
import { agentSettings } from './scenario.ts';
import { SharedNodeInformer } from './shared-node-port.ts';
import type { Timeline, TimelineKind } from './timeline.ts';

/** Which staging attempts a fault hits: named nodes always, others with a probability per attempt. */
export interface AgentFaultRule {
  nodes?: string[];
  probability?: number;
}

/** Host faults of the simulated nodes (see {@link SimHostFaults}). */
export interface AgentFaults {
  pullFailure?: AgentFaultRule;
  authFailure?: AgentFaultRule;
  stagingHang?: AgentFaultRule;
  wrongDigest?: AgentFaultRule;
  stagingFailure?: AgentFaultRule;
}

/** Draws the host faults of one staging attempt of a node (attempts count per host from 1). */
export type HostFaultDraw = (node: string, staging: { image: string; attempt: number }) => SimHostFaults;

export interface NodeAgentsOptions {
  /** The agents' state timeouts, in simulated ms (default: the agent's, 12 / 10 / 5 min). */
  timeouts?: Timeouts;
  /** The hosts' delays in simulated ms (default: stage 30 s, reboot 60 s, failing pull 5 s). */
  timing?: Partial<SimHostTiming>;
  faults?: AgentFaults;
  /** Draws each staging attempt's faults instead of `faults` (the fleet's scenario faults). */
  drawFaults?: HostFaultDraw;
  /** Seed of the fault draws (default `agents`). */
  seed?: number | string;
  /** Only nodes of these pools get an agent (default: every node). */
  pools?: string[];
  /** How often an idle agent looks at its host, simulated ms (default 10 min: only agents change hosts here). */
  pollIntervalMs?: number;
  /** The agents' log level; without it, agents log nothing. */
  logLevel?: LogLevel;
  /** Where agent logs go (default stdout), one JSON line each. */
  writeLog?: (line: string) => void;
  /** The credentials an agent uses (default: the cluster's admin kubeconfig), e.g. through a proxy. */
  kubeConfig?: (node: string) => KubeConfig;
  /**
   * `per-agent` (default): each agent has its own connection pool, as each DaemonSet pod does. `shared`:
   * the agents of the cluster share one pool (each watch still holds its own connection; reads and patches
   * share), for large simulated fleets: see docs/agent.md, "Simulating agents at scale".
   */
  connectionPool?: 'per-agent' | 'shared';
  /**
   * `client-node` (default): each agent watches its own node through client-node (the DaemonSet's node
   * port). `shared`: one client-node informer for the cluster dispatches node changes to the agents, whose
   * reads and patches share one connection pool (sim/shared-node-port.ts; `connectionPool` is then moot).
   */
  nodePort?: 'client-node' | 'shared';
}

/** The agents of one cluster. */
export interface NodeAgents {
  /** The simulated host of a node. */
  host(node: string): SimHost;
  /** Kills a node's agent and starts a new one (a container restart); resolves when the new one runs. */
  restartAgent(node: string): Promise<void>;
  /** Kills a node's agent without starting another. */
  killAgent(node: string): Promise<void>;
  /** Starts the agent of a node whose agent was killed. */
  startAgent(node: string): Promise<void>;
  /** Nodes with a running agent. */
  running(): string[];
  /** Resolves once no running agent is in the middle of a decision. */
  idle(): Promise<void>;
  /** True while the node's host is down for a reboot. */
  isRebooting(node: string): boolean;
  /** Stops every agent (hosts keep their state). */
  stop(): Promise<void>;
}

/** What the agents need of a running fleet. */
export interface NodeAgentsTarget {
  /** The cluster (a fleet's, or its name, state and admin kubeconfig). */
  cluster: Pick<FleetCluster, 'name' | 'state' | 'kubeConfig'>;
  clock: SimClock;
  timeline: Timeline;
  /** Wall-clock time of simulated time 0 (the fleet's `epochMs`). */
  epochMs: number;
}

/** Agents starting at once (their first list and watch) when the cluster's agents start. */
const START_CONCURRENCY = 50;

const DEFAULT_TIMING: SimHostTiming = { stageMs: 30_000, rebootMs: 60_000, failMs: 5_000 };

/** Starts an agent on every (selected) node of a cluster; resolves once each has read its node. */
export async function startNodeAgents(
  target: NodeAgentsTarget,
  options: NodeAgentsOptions = {},
): Promise<NodeAgents> {
  const { cluster, clock, timeline, epochMs } = target;
  const state = cluster.state;
  const timing = { ...DEFAULT_TIMING, ...options.timing };
  const timeouts = options.timeouts ?? DEFAULT_TIMEOUTS;
  const seed = options.seed ?? 'agents';
  const faults = options.faults ?? {};
  const drawFaults: HostFaultDraw =
    options.drawFaults ??
    ((node, { image, attempt }) =>
      drawHostFaults(
        faults as Record<keyof SimHostFaults, FaultRule | undefined>,
        derivePrng(seed, cluster.name, node, 'host', image, String(attempt)),
        cluster.name,
        node,
      ));
  const agentClock: AgentClock = {
    now: () => epochMs + clock.now(),
    schedule(delayMs, fn) {
      const handle = clock.schedule(delayMs, fn);
      return () => clock.cancel(handle);
    },
  };
  const hosts = new Map<string, SimHost>();
  const agents = new Map<string, NodeAgent>();
  const starting = new Map<string, Promise<void>>();
  const restartTimers = new Set<NodeJS.Timeout>();
  const shared = options.nodePort === 'shared';
  const sharedPool =
    options.connectionPool === 'shared' && !shared
      ? PooledKubeConfig.from(options.kubeConfig?.('') ?? cluster.kubeConfig())
      : undefined;
  const informer = shared
    ? new SharedNodeInformer(options.kubeConfig?.('') ?? cluster.kubeConfig())
    : undefined;
  let stopped = false;

  const selected = (node: NodeRecord) => !options.pools || options.pools.includes(node.pool);
  const record = (
    node: string,
    kind: TimelineKind,
    detail?: string,
    extra: { image?: string; by?: string } = {},
  ) => {
    const pool = state.nodes.get(undefined, node)?.pool ?? '';
    timeline.record({ cluster: cluster.name, pool, node, kind, ...(detail ? { detail } : {}), ...extra });
  };
  const logFor = (node: string): Logger =>
    options.logLevel
      ? jsonLogger({
          level: options.logLevel,
          fields: { cluster: cluster.name, node },
          now: agentClock.now,
          write: options.writeLog,
        })
      : silentLogger;

  const startAgent = (name: string): Promise<void> => {
    const pending = starting.get(name);
    if (pending) return pending;
    const run = (async () => {
      const host = hosts.get(name);
      if (stopped || !host?.running || agents.has(name) || !state.nodes.get(undefined, name)) return;
      const agent = new NodeAgent({
        node:
          informer?.port(name) ??
          new KubeNodePort(sharedPool ?? options.kubeConfig?.(name) ?? cluster.kubeConfig(), name, {
            rewatchDelayMs: 200,
          }),
        host,
        clock: agentClock,
        timeouts,
        pollIntervalMs: options.pollIntervalMs ?? 600_000,
        log: logFor(name),
      });
      agents.set(name, agent);
      try {
        await agent.start();
      } catch (error) {
        agents.delete(name);
        await agent.stop();
        // As the kubelet restarts a crashed container: try again shortly (real time: a transport error).
        if (!stopped) restartTimers.add(setTimeout(() => void startAgent(name).catch(() => undefined), 500));
        throw error;
      }
    })().finally(() => starting.delete(name));
    starting.set(name, run);
    return run;
  };

  const killAgent = async (name: string): Promise<void> => {
    await starting.get(name)?.catch(() => undefined);
    const agent = agents.get(name);
    agents.delete(name);
    await agent?.stop();
  };

  const addHost = (node: NodeRecord): SimHost => {
    const host = new SimHost({
      node: node.name,
      clock,
      epochMs,
      bootedImage: state.pool(node.pool).spec.baseImage,
      timing,
      faults: (staging) => drawFaults(node.name, staging),
      onDown: () => {
        record(node.name, 'reboot', host.bootedImage);
        state.setNodeReady(node.name, false);
        void killAgent(node.name);
      },
      onUp: () => {
        if (!state.nodes.get(undefined, node.name)) return;
        state.setNodeReady(node.name, true, host.bootedImage);
        record(node.name, 'ready');
        void startAgent(node.name).catch(() => undefined);
      },
    });
    hosts.set(node.name, host);
    return host;
  };

  /** The control plane's reboot requests and the agents' transitions, on the timeline. */
  const onChange = (before: NodeRecord | undefined, after: NodeRecord | undefined) => {
    if (!after) {
      if (before && hosts.has(before.name)) {
        void killAgent(before.name);
        hosts.delete(before.name);
      }
      return;
    }
    if (!before) {
      if (selected(after) && !hosts.has(after.name)) {
        addHost(after);
        void startAgent(after.name).catch(() => undefined);
      }
      return;
    }
    if (!hosts.has(after.name)) return;
    const desired = after.annotations[A.desiredImage];
    if (desired !== before.annotations[A.desiredImage])
      record(after.name, 'desired-image', desired ?? '(removed)', { image: desired ?? '', by: state.actor });
    const request = after.annotations[A.reboot];
    if (request && request !== before.annotations[A.reboot]) {
      record(after.name, 'desired', `reboot into ${request}`);
      if (!after.unschedulable)
        record(after.name, 'violation', 'reboot requested while the node is schedulable (not cordoned)');
      const pods = state.evictablePods(after.name);
      if (pods.length > 0)
        record(
          after.name,
          'violation',
          `reboot requested while ${pods.length} evictable pod(s) still run on the node (not drained): ${pods.map((p) => `${p.namespace}/${p.name}`).join(', ')}`,
        );
    }
    const from = before.annotations[A.state];
    const to = after.annotations[A.state];
    if (to === from || from === undefined) return;
    const image = after.annotations[A.stateImage] ?? '';
    if (to === 'Staging' || to === 'Staged') record(after.name, 'working', `${to} ${image}`);
    else if (to === 'Done') record(after.name, 'done', image);
    else if (to === 'Degraded') record(after.name, 'degraded', after.annotations[A.reason] ?? '');
  };
  const unsubscribe = state.onNodeChange(onChange);

  await informer?.start();
  for (const node of state.nodes.list()) if (selected(node)) addHost(node);
  // DaemonSet pods do not all start in the same millisecond: at most START_CONCURRENCY at once.
  const queue = [...hosts.keys()];
  await Promise.all(
    Array.from({ length: Math.min(START_CONCURRENCY, queue.length) }, async () => {
      for (let name = queue.shift(); name !== undefined; name = queue.shift())
        await startAgent(name).catch(() => undefined);
    }),
  );

  const hostOf = (name: string): SimHost => {
    const host = hosts.get(name);
    if (!host) throw new FleetError(`cluster "${cluster.name}" has no agent on node "${name}"`);
    return host;
  };
  const side: NodeAgents = {
    host: hostOf,
    async restartAgent(name) {
      hostOf(name);
      await killAgent(name);
      await startAgent(name);
    },
    async killAgent(name) {
      hostOf(name);
      await killAgent(name);
    },
    async startAgent(name) {
      hostOf(name);
      await startAgent(name);
    },
    running: () => [...agents.keys()].sort(),
    isRebooting: (name) => hosts.get(name)?.running === false,
    async idle() {
      await Promise.all([...starting.values()].map((p) => p.catch(() => undefined)));
      await Promise.all([...agents.values()].map((a) => a.idle()));
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      unsubscribe();
      for (const timer of restartTimers) clearTimeout(timer);
      await Promise.all([...starting.values()].map((p) => p.catch(() => undefined)));
      await Promise.all([...agents.keys()].map((name) => killAgent(name)));
      await informer?.stop();
      await sharedPool?.close();
    },
  };
  started.add(side);
  return side;
}

/** Every {@link NodeAgents} started, for {@link nodeAgentsOf}. */
const started = new WeakSet<object>();

/** The agents of a fleet cluster whose node behaviour is `strata-agent`. */
export function nodeAgentsOf(cluster: Pick<FleetCluster, 'name' | 'nodeSide'>): NodeAgents {
  if (!started.has(cluster.nodeSide))
    throw new FleetError(
      `cluster "${cluster.name}" does not run the Strata agent (kind: kubernetes, nodeBehaviour: strata-agent)`,
    );
  return cluster.nodeSide as NodeAgents;
}

/**
 * The `strata-agent` node behaviour: the real agent on every node of a plain Kubernetes cluster, with the
 * scenario's `agent` settings (timeouts, host delays, node port) and its faults drawn from the scenario
 * seed (pullFailure, authFailure, stagingHang; imageNoBoot as a deployment that does not boot;
 * updateFailure as a staging that fails). Nodes start without MCO's annotations: the agent writes its own.
 */
export const strataAgentBehaviour: NodeBehaviour = {
  mcoAnnotations: false,
  create: (state, c) => {
    const settings = agentSettings(c.scenario, state.spec);
    return startNodeAgents(
      {
        cluster: { name: state.name, state, kubeConfig: c.kubeConfig },
        clock: c.clock,
        timeline: c.timeline,
        epochMs: c.epochMs,
      },
      {
        timeouts: {
          stagingMs: settings.timeouts.staging,
          rebootMs: settings.timeouts.reboot,
          verifyMs: settings.timeouts.verify,
        },
        timing: {
          stageMs: settings.host.stage,
          rebootMs: settings.host.reboot,
          failMs: settings.host.failedPull,
        },
        drawFaults: (node, { image, attempt }) => c.faults.hostFaults(state.name, node, image, attempt),
        pollIntervalMs: settings.pollInterval,
        nodePort: settings.nodePort,
      },
    );
  },
};
