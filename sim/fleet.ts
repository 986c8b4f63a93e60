/**
 * A running simulated fleet: one Kubernetes API server per cluster on 127.0.0.1, node daemons, faults
 * and the timeline. Start it with {@link startFleet}; stop it with `fleet.stop()`.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { strataAgentBehaviour } from './agents.ts';
import { ApiServer, type ApiUser } from './api-server.ts';
import { checkInvariants, type InvariantReport, type PoolLimit } from './checker.ts';
import { ManualClock, RealTimeClock, type SimClock, type TimerHandle } from './clock.ts';
import { SimCluster } from './cluster.ts';
import { type DaemonTiming, NodeDaemons } from './daemon.ts';
import { FleetError } from './errors.ts';
import { FaultPlan } from './faults.ts';
import { clusterKubeConfig, writeKubeconfigFile } from './kubeconfig.ts';
import { McoControllers, mcoHooks } from './mco/index.ts';
import { clusterRelease, resolveRelease } from './openshift.ts';
import {
  isLoadedScenario,
  loadScenario,
  parseInjectedFaults,
  runsMcoControllers,
  type Scenario,
  type ScenarioFaults,
  type ScenarioFaultsInput,
  type ScenarioInput,
  STRATA_AGENT,
} from './scenario.ts';
import { Timeline } from './timeline.ts';
import { serverIdentity } from './tls.ts';

/** What runs on the nodes of a cluster: reacts to node changes, and stops with the fleet. */
export interface NodeSide {
  /** True while the node is down for an update reboot (a NotReady fault then does not end it). */
  isRebooting(node: string): boolean;
  /** Stops it; the fleet awaits it before closing the cluster's API server. */
  stop(): void | Promise<void>;
}

/** What a node behaviour gets to run on a cluster's nodes. */
export interface NodeSideContext {
  clock: SimClock;
  timeline: Timeline;
  faults: FaultPlan;
  timing: DaemonTiming;
  seed: number | string;
  /** The whole scenario (e.g. the behaviour's own settings; the cluster's spec is `cluster.spec`). */
  scenario: Scenario;
  /** Wall-clock time of simulated time 0. */
  epochMs: number;
  /** A client-node KubeConfig for the cluster (admin token by default): its API server already listens. */
  kubeConfig(token?: string): KubeConfig;
}

/**
 * Builds the node side of a plain Kubernetes cluster (scenario `nodeBehaviour`), once the cluster's API
 * server listens; the fleet starts when the promise resolves.
 */
export type NodeBehaviourFactory = (
  cluster: SimCluster,
  context: NodeSideContext,
) => NodeSide | Promise<NodeSide>;

/** A node behaviour of plain Kubernetes clusters, registered by name. */
export interface NodeBehaviour {
  create: NodeBehaviourFactory;
  /**
   * Whether nodes boot with MCO's node annotations (current/desired config and image, state Done), which
   * the annotation daemon follows (default true). False: nodes start without them.
   */
  mcoAnnotations?: boolean;
}

/**
 * Built-in node behaviours of plain Kubernetes clusters: `annotation-daemon` (the default), the
 * MCO-annotation daemon of image-mode hosts driven from outside (sim/daemon.ts; what every cluster without
 * MCO's controllers runs); `strata-agent`, the real Strata node agent on simulated image-mode hosts
 * (sim/agents.ts).
 */
export const nodeBehaviours: Readonly<Record<string, NodeBehaviour>> = {
  'annotation-daemon': {
    create: (cluster, c) => new NodeDaemons(cluster, c.clock, c.timeline, c.faults, c.timing, c.seed),
  },
  [STRATA_AGENT]: strataAgentBehaviour,
};

export interface FleetOptions {
  /** More node behaviours for plain Kubernetes clusters (by the name a scenario's `nodeBehaviour` uses). */
  nodeBehaviours?: Record<string, NodeBehaviour>;
  /** Overrides the scenario's timeScale (simulated time runs this many times faster than wall time). */
  timeScale?: number;
  /**
   * `real` (default): simulated time follows wall time × timeScale. `manual`: time moves only through
   * `fleet.advance(ms)`, so a deterministic driver gets an identical timeline for the same seed.
   */
  clock?: 'real' | 'manual';
  /** Append every timeline event to this JSONL file as it happens. */
  timelineFile?: string;
  /** Wall-clock time of simulated time 0 (default: now for `real`, 2026-06-01T00:00:00Z for `manual`). */
  epochMs?: number;
}

/** One simulated cluster, as a client sees it. */
export interface FleetCluster {
  name: string;
  labels: Record<string, string>;
  region: string;
  /** `https://127.0.0.1:<port>`. */
  server: string;
  /** An admin bearer token. */
  token: string;
  /** A read-only bearer token (get/list/watch), if the scenario has one. */
  readOnlyToken: string | undefined;
  /** The server certificate (self-signed), base64 PEM: kubeconfig `certificate-authority-data`. */
  caData: string;
  /** A client-node KubeConfig for this cluster (admin token, its context current). */
  kubeConfig(token?: string): KubeConfig;
  /** `openshift` or `kubernetes`. */
  kind: 'openshift' | 'kubernetes';
  /** The simulated cluster's state (objects, hooks). */
  state: SimCluster;
  /** Its API server. */
  api: ApiServer;
  /** MCO's controllers, on OpenShift clusters that run them. */
  mco: McoControllers | undefined;
  /** What runs on its nodes. */
  nodeSide: NodeSide;
}

export interface Fleet {
  scenario: Scenario;
  clusters: FleetCluster[];
  timeline: Timeline;
  clock: SimClock;
  cluster(name: string): FleetCluster;
  /** Adds a node to a pool (it boots the pool's base config and image); returns its name. */
  addNode(cluster: string, pool: string): string;
  removeNode(cluster: string, node: string): void;
  /**
   * Upgrades an OpenShift cluster to another release of the scenario: ControllerConfig, the osimageurl
   * ConfigMap and ClusterVersion change; with MCO's controllers the pools re-render onto the new base image.
   */
  upgradeCluster(cluster: string, version: string): void;
  /**
   * Adds faults at run time (lists appended, single settings replaced), validated and completed with the
   * scenario's defaults. @throws FleetError naming the field at fault (nothing is added then).
   */
  injectFault(faults: ScenarioFaultsInput): void;
  /** Closes every open watch stream (of one cluster, or all). Returns how many were closed. */
  disconnectWatches(cluster?: string): number;
  /** Manual clock only: moves simulated time forward, running everything that falls due. */
  advance(ms: number): Promise<void>;
  /** Every pool's maxUnavailable resolved against its current node count. */
  poolLimits(): PoolLimit[];
  /** Runs the invariant checker on the timeline so far. */
  checkInvariants(): InvariantReport;
  /** Writes a kubeconfig with one context per cluster. */
  writeKubeconfig(file: string): void;
  stop(): Promise<void>;
}

/** Starts a fleet from a scenario (object, file path or YAML text; default: the shipped scenario). */
export async function startFleet(
  source?: Scenario | ScenarioInput | string,
  options: FleetOptions = {},
): Promise<Fleet> {
  const scenario = isLoadedScenario(source) ? source : loadScenario(source);
  const manual = options.clock === 'manual';
  const clock: SimClock = manual
    ? new ManualClock()
    : new RealTimeClock(options.timeScale ?? scenario.timeScale);
  const epochMs = options.epochMs ?? (manual ? Date.parse('2026-06-01T00:00:00Z') : Date.now());
  const timeline = new Timeline(() => clock.now(), options.timelineFile);
  const faults = new FaultPlan(scenario.faults, scenario.seed);
  const tokens = new Map<string, ApiUser>(
    scenario.tokens.map((t) => [t.token, { name: t.name, access: t.access }]),
  );
  const adminToken = scenario.tokens.find((t) => t.access === 'admin')!.token;
  const readOnlyToken = scenario.tokens.find((t) => t.access === 'read-only')?.token;

  const behaviours = { ...nodeBehaviours, ...options.nodeBehaviours };
  scenario.clusters.forEach((spec, i) => {
    const name = spec.nodeBehaviour ?? 'annotation-daemon';
    if (spec.kind === 'kubernetes' && !behaviours[name])
      throw new FleetError(
        `clusters[${i}].nodeBehaviour: unknown node behaviour "${name}" (known: ${Object.keys(behaviours).join(', ')})`,
      );
  });
  const tls = await serverIdentity();
  const daemons: NodeSide[] = [];
  const clusters: FleetCluster[] = [];
  const servers: ApiServer[] = [];
  try {
    for (const [index, spec] of scenario.clusters.entries()) {
      const controllers = runsMcoControllers(scenario, spec);
      // OpenShift clusters without MCO's controllers run the annotation daemon too.
      const behaviour =
        behaviours[
          spec.kind === 'kubernetes' ? (spec.nodeBehaviour ?? 'annotation-daemon') : 'annotation-daemon'
        ]!;
      const state = new SimCluster(spec, {
        index,
        seed: scenario.seed,
        clock,
        timeline,
        epochMs,
        evictionReturnMs: scenario.timing.evictionReturn,
        watchHistory: scenario.apiServer.watchHistory,
        release: clusterRelease(scenario, spec),
        mcoControllers: controllers,
        mcoNodeAnnotations: behaviour.mcoAnnotations ?? true,
        ...(controllers ? { hooks: mcoHooks } : {}),
      });
      const mco = state.mcoControllers
        ? new McoControllers(state, {
            clock,
            timeline,
            faults,
            seed: scenario.seed,
            timing: scenario.timing,
            delays: scenario.mco.delays,
          })
        : undefined;
      const api = new ApiServer({
        cluster: state,
        tokens,
        fault: () => faults.requestFault(spec.name),
        bookmarkEveryMs: scenario.apiServer.bookmarkEveryMs,
        now: () => epochMs + clock.now(),
        tls,
      });
      servers.push(api);
      const server = await api.listen();
      const kubeConfig = (token = adminToken) =>
        clusterKubeConfig({ name: spec.name, server, token, caData: tls.caData });
      const nodeSide: NodeSide =
        mco ??
        (await behaviour.create(state, {
          clock,
          timeline,
          faults,
          timing: scenario.timing,
          seed: scenario.seed,
          scenario,
          epochMs,
          kubeConfig,
        }));
      daemons.push(nodeSide);
      clusters.push({
        name: spec.name,
        labels: { ...spec.labels },
        region: spec.region,
        server,
        token: adminToken,
        readOnlyToken,
        caData: tls.caData,
        kubeConfig,
        kind: spec.kind,
        state,
        api,
        mco,
        nodeSide,
      });
    }
  } catch (error) {
    clock.stop();
    await Promise.all(daemons.map((d) => d.stop()));
    await Promise.all(servers.map((api) => api.close()));
    throw error;
  }

  const find = (name: string): FleetCluster => {
    const cluster = clusters.find((c) => c.name === name);
    if (!cluster) throw new FleetError(`no cluster "${name}" in the fleet`);
    return cluster;
  };
  const daemonsOf = (name: string) => daemons[clusters.indexOf(find(name))]!;

  const faultContext: FaultContext = {
    clock,
    timeline,
    find,
    daemonsOf,
    faults,
    all: () => clusters,
    watchTimer: undefined,
  };
  scheduleTimedFaults(faults.faults, faultContext);

  const poolLimits = (): PoolLimit[] =>
    clusters.flatMap((c) => c.state.poolLimits().map((p) => ({ cluster: c.name, ...p })));
  let stopped = false;
  return {
    scenario,
    clusters,
    timeline,
    clock,
    cluster: find,
    addNode: (cluster, pool) => find(cluster).state.addNode(pool).name,
    removeNode: (cluster, node) => find(cluster).state.removeNode(node),
    upgradeCluster: (cluster, version) => {
      if (!Object.hasOwn(scenario.releases, version))
        throw new FleetError(`no release "${version}" in the scenario's releases`);
      find(cluster).state.upgradeRelease(resolveRelease(scenario, version));
    },
    injectFault: (input) => {
      const extra = parseInjectedFaults(input);
      faults.inject(extra);
      scheduleTimedFaults(
        {
          pdbBlock: extra.pdbBlock ?? [],
          nodeNotReady: extra.nodeNotReady ?? [],
          nodeChanges: extra.nodeChanges ?? [],
          watchDisconnect: extra.watchDisconnect,
        },
        faultContext,
      );
    },
    disconnectWatches: (cluster) =>
      (cluster ? [find(cluster)] : clusters).reduce((sum, c) => sum + c.api.disconnectWatches(), 0),
    advance: async (ms) => {
      if (!(clock instanceof ManualClock))
        throw new FleetError('advance() needs a fleet started with clock: "manual"');
      await clock.advance(ms);
    },
    poolLimits,
    checkInvariants: () => checkInvariants(timeline.events, poolLimits()),
    writeKubeconfig: (file) => writeKubeconfigFile(file, clusters),
    stop: async () => {
      if (stopped) return;
      stopped = true;
      clock.stop();
      await Promise.all(daemons.map((d) => d.stop()));
      await Promise.all(clusters.map((c) => c.api.close()));
    },
  };
}

/** Writes a kubeconfig with one context per cluster of a running fleet (current-context: the first). */
export function writeKubeconfig(fleet: Fleet, file: string): void {
  fleet.writeKubeconfig(file);
}

interface FaultContext {
  clock: SimClock;
  timeline: Timeline;
  find: (name: string) => FleetCluster;
  daemonsOf: (name: string) => NodeSide;
  faults: FaultPlan;
  all: () => FleetCluster[];
  watchTimer: TimerHandle | undefined;
}

/** Schedules the time-based faults: PDB blocks, NotReady spells, node changes, watch disconnects. */
function scheduleTimedFaults(
  f: Pick<ScenarioFaults, 'pdbBlock' | 'nodeNotReady' | 'nodeChanges' | 'watchDisconnect'>,
  ctx: FaultContext,
): void {
  const { clock, timeline } = ctx;
  for (const block of f.pdbBlock)
    ctx.find(block.cluster).state.blockPdb(block.namespace, block.name, block.for);
  for (const spell of f.nodeNotReady) {
    clock.schedule(Math.max(0, spell.at - clock.now()), () => {
      const state = ctx.find(spell.cluster).state;
      const candidates = state.nodes.list().filter((n) => n.ready);
      const name =
        spell.node ??
        (candidates.length > 0
          ? ctx.faults.prng(spell.cluster, `not-ready-${spell.at}`).pick(candidates).name
          : undefined);
      if (!name) return;
      const node = state.setNodeReady(name, false);
      if (!node) return;
      timeline.record({
        cluster: spell.cluster,
        pool: node.pool,
        node: name,
        kind: 'not-ready',
        fault: true,
      });
      clock.schedule(spell.for, () => {
        if (ctx.daemonsOf(spell.cluster).isRebooting(name)) return;
        const back = state.setNodeReady(name, true);
        if (back)
          timeline.record({
            cluster: spell.cluster,
            pool: back.pool,
            node: name,
            kind: 'ready',
            fault: true,
          });
      });
    });
  }
  for (const change of f.nodeChanges) {
    clock.schedule(Math.max(0, change.at - clock.now()), () => {
      const state = ctx.find(change.cluster).state;
      if ('add' in change) for (let i = 0; i < change.add; i++) state.addNode(change.pool);
      else if (state.nodes.get(undefined, change.node)) state.removeNode(change.node);
    });
  }
  if (f.watchDisconnect) {
    const { every, clusters } = f.watchDisconnect;
    if (ctx.watchTimer) clock.cancel(ctx.watchTimer);
    const tick = () => {
      for (const c of clusters ? clusters.map(ctx.find) : ctx.all()) c.api.disconnectWatches();
      ctx.watchTimer = clock.schedule(every, tick);
    };
    ctx.watchTimer = clock.schedule(every, tick);
  }
}
