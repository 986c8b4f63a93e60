/**
 * The rollout engine wired end to end for integration tests and the bench: the simulator's real
 * Kubernetes API servers, dynalite, in-process queues, the real watch relay, and the four handlers. Time
 * is the simulator's: handlers read the simulated clock, and queue delays (given in simulated seconds)
 * are scaled down by the time scale.
 */
import { createClusterConnector } from '../../functions/adapters/cluster/connector.ts';
import { createCredentialsResolver } from '../../functions/adapters/cluster/credentials.ts';
import type { SideEffectPoint } from '../../functions/adapters/cluster/node-steps.ts';
import { staticTokens } from '../../functions/adapters/secrets/tokens.ts';
import { createClusterCache } from '../../functions/adapters/store/clusters.ts';
import type { StoreContext } from '../../functions/adapters/store/context.ts';
import { dynamoStores } from '../../functions/adapters/store/index.ts';
import { getPool } from '../../functions/adapters/store/pools.ts';
import { registerClusterWithPools } from '../../functions/adapters/store/registry.ts';
import { controlRollout } from '../../functions/adapters/store/rollout-control.ts';
import { createRollout, getRollout } from '../../functions/adapters/store/rollouts.ts';
import type { RolloutRecord, RolloutStatus, RolloutStrategy, Track } from '../../functions/core/model.ts';
import { rolloutId } from '../../functions/core/model.ts';
import type {
  ClusterEventMessage,
  PlanRolloutMessage,
  ReconcilePoolMessage,
} from '../../functions/core/ports.ts';
import type {
  MaintenanceWindow,
  ReconcileSettings,
  RolloutAction,
} from '../../functions/core/rollout/index.ts';
import type { PoolRecord } from '../../functions/core/rollout/pool-state.ts';
import { processClusterEvent } from '../../functions/handlers/node-state.ts';
import { type PlanRolloutDeps, planRolloutPass } from '../../functions/handlers/plan-rollout.ts';
import { type PoolReconcileDeps, reconcilePool } from '../../functions/handlers/pool-reconcile.ts';
import { resync } from '../../functions/handlers/resync.ts';
import { InProcessQueue, type QueueFaults } from '../../local/in-process-queue.ts';
import { startWatchRelay, type WatchRelay } from '../../relay/watch-relay.ts';
import { type Fleet, loadScenario, type ScenarioInput, startFleet } from '../../sim/index.ts';
import { startTestTable, type TestTable } from '../support/dynalite.ts';
import { startFleetProcess } from './fleet-process.ts';

/** Options of {@link startHarness}. */
export interface HarnessOptions {
  scenario: ScenarioInput;
  /** Simulated time per wall time. Default: the scenario's. */
  timeScale?: number;
  /** Wall-clock time of simulated time 0 (windows are read against it). */
  epochMs?: number;
  /** Reconcile timing, in simulated seconds. */
  settings?: Partial<ReconcileSettings>;
  /** Delivery faults on the reconcile and plan queues. */
  queueFaults?: QueueFaults;
  /** Crash points before cluster side effects. */
  beforeSideEffect?: (point: SideEffectPoint) => void | Promise<void>;
  /** Maintenance windows per cluster name. */
  windows?: Record<string, MaintenanceWindow[]>;
  /** Concurrent reconciles (the Lambda concurrency of the reconcile queue). Default 8. */
  concurrency?: number;
  /** Start watch relays (cluster events → node-state). Default true. */
  relays?: boolean;
  /** Run the simulator in a child process (`strata sim`); only what the bench needs is available then. */
  fleetProcess?: boolean;
  /**
   * Work-queue semantics on the plan and reconcile queues: one message per key at a time, waiting
   * duplicates merged. Default false: the queues deliver as SQS does (at least once, every message sent,
   * duplicates possible, none merged). Benchmarks never set it.
   */
  mergeByKey?: boolean;
  /** Wraps the document client the handlers use (the bench counts requests with it). */
  instrumentDoc?: (doc: TestTable['doc']) => TestTable['doc'];
  /** Wraps each handler call (the bench times invocations with it). */
  instrumentHandler?: <T>(name: string, run: () => Promise<T>) => Promise<T>;
}

/** A running harness. */
export interface Harness {
  fleet: Fleet;
  table: TestTable;
  store: StoreContext;
  queues: {
    plan: InProcessQueue<PlanRolloutMessage>;
    reconcile: InProcessQueue<ReconcilePoolMessage>;
    events: InProcessQueue<ClusterEventMessage>;
  };
  /** Simulated now. */
  now(): Date;
  errors: unknown[];
  /** Creates a rollout of `digest` for a track and sends its first plan message. */
  startRollout(input: {
    track: string;
    digest: string;
    strategy: RolloutStrategy;
    targets?: Track['targets'];
  }): Promise<string>;
  control(id: string, action: RolloutAction): Promise<RolloutRecord>;
  rollout(id: string): Promise<RolloutRecord>;
  pool(clusterId: string, pool: string): Promise<PoolRecord>;
  /** Polls until the rollout has one of `statuses` (fails after `timeoutMs` of wall time). */
  waitForStatus(id: string, statuses: RolloutStatus[], timeoutMs?: number): Promise<RolloutRecord>;
  /** Polls until `check` holds. */
  waitUntil(check: () => Promise<boolean> | boolean, what: string, timeoutMs?: number): Promise<void>;
  /** Runs one resync tick. */
  resync(): Promise<void>;
  stop(): Promise<void>;
}

/** An image digest for tests: `sha256:` + 64 hex from a short tag. */
export function digestOf(tag: string): string {
  const hex = Buffer.from(tag).toString('hex');
  return `sha256:${hex.padEnd(64, '0').slice(0, 64)}`;
}

/** Registers every simulated cluster and its pools; returns the token of each (by cluster id). */
export async function registerFleet(
  store: StoreContext,
  fleet: Fleet,
  now: Date,
  windows?: Record<string, MaintenanceWindow[]>,
): Promise<Record<string, string>> {
  const tokens: Record<string, string> = {};
  for (const c of fleet.clusters) {
    tokens[c.name] = c.token;
    const spec = fleet.scenario.clusters.find((s) => s.name === c.name)!;
    await registerClusterWithPools(
      store,
      {
        id: c.name,
        endpoint: c.server,
        caData: c.caData,
        credentials: { kind: 'token-secret', secretName: c.name },
        labels: c.labels,
        pools: spec.pools.map((p) => ({
          name: p.name,
          nodeSelector: (p.nodeSelector ?? { [`node-role.kubernetes.io/${p.name}`]: '' }) as Record<
            string,
            string
          >,
          ...(p.maxUnavailable !== undefined
            ? { maxUnavailable: p.maxUnavailable as number | `${number}%` }
            : {}),
        })),
        ...(windows?.[c.name] ? { windows: windows[c.name] } : {}),
      },
      now,
    );
  }
  return tokens;
}

/** Starts the fleet, the table, the queues, relays and consumers, and registers every cluster. */
export async function startHarness(options: HarnessOptions): Promise<Harness> {
  const table = await startTestTable();
  const fleet = options.fleetProcess
    ? await startFleetProcess(options.scenario, options.timeScale ?? loadScenario(options.scenario).timeScale)
    : await startFleet(options.scenario, {
        ...(options.timeScale ? { timeScale: options.timeScale } : {}),
        ...(options.epochMs ? { epochMs: options.epochMs } : {}),
      });
  const timeScale = options.timeScale ?? fleet.scenario.timeScale;
  const epoch = options.epochMs ?? Date.now();
  const now = () => new Date(epoch + fleet.clock.now());
  const store: StoreContext = {
    doc: options.instrumentDoc ? options.instrumentDoc(table.doc) : table.doc,
    tableName: table.tableName,
  };
  // The harness's own reads (status polls, assertions) go around the instrumentation: a benchmark counts
  // what the control plane does, not how often it is watched.
  const own: StoreContext = { doc: table.doc, tableName: table.tableName };
  const timed = <T>(name: string, run: () => Promise<T>) =>
    options.instrumentHandler ? options.instrumentHandler(name, run) : run();
  const errors: unknown[] = [];
  const queueOptions = (concurrency: number) => ({
    concurrency,
    delayScale: 1 / timeScale,
    retryAfterMs: 20,
    ...(options.queueFaults ? { faults: options.queueFaults } : {}),
    onError: (error: unknown) => errors.push(error),
  });
  const queues = {
    plan: new InProcessQueue<PlanRolloutMessage>({
      ...queueOptions(2),
      ...(options.mergeByKey ? { keyOf: (m: PlanRolloutMessage) => m.rolloutId } : {}),
    }),
    reconcile: new InProcessQueue<ReconcilePoolMessage>({
      ...queueOptions(options.concurrency ?? 8),
      ...(options.mergeByKey ? { keyOf: (m: ReconcilePoolMessage) => `${m.clusterId}/${m.pool}` } : {}),
    }),
    events: new InProcessQueue<ClusterEventMessage>({ concurrency: 4, onError: (e) => errors.push(e) }),
  };
  const tokens = await registerFleet(store, fleet, now(), options.windows);
  const clusters = createClusterConnector(store, createCredentialsResolver(staticTokens(tokens)));
  const stores = dynamoStores(store);
  const reconcileDeps: PoolReconcileDeps = {
    stores,
    clusters,
    reconcileQueue: queues.reconcile,
    planQueue: queues.plan,
    now,
    settings: { pollSeconds: 5, drainRetrySeconds: 2, drainTimeoutSeconds: 120, ...options.settings },
    ...(options.beforeSideEffect ? { beforeSideEffect: options.beforeSideEffect } : {}),
  };
  const planDeps: PlanRolloutDeps = {
    stores,
    clusters,
    planQueue: queues.plan,
    reconcileQueue: queues.reconcile,
    now,
  };
  queues.reconcile.consume((key) => timed('pool-reconcile', () => reconcilePool(reconcileDeps, key)));
  queues.plan.consume((m) => timed('plan-rollout', () => planRolloutPass(planDeps, m.rolloutId)));
  const registrations = createClusterCache(store, 5);
  queues.events.consume((e) =>
    timed('node-state', () =>
      processClusterEvent({ stores, reconcileQueue: queues.reconcile, registrations }, e),
    ),
  );
  const relays: WatchRelay[] = [];
  if (options.relays !== false) {
    for (const c of fleet.clusters) {
      relays.push(
        startWatchRelay({
          clusterId: c.name,
          kubeConfig: c.kubeConfig(),
          sink: queues.events,
          restartDelayMs: 50,
        }),
      );
    }
    await Promise.all(relays.map((r) => r.ready));
  }
  // The first reconcile of each pool records its baseline (the config every node runs).
  for (const c of fleet.scenario.clusters) {
    for (const p of c.pools) await queues.reconcile.send({ clusterId: c.name, pool: p.name });
  }

  const harness: Harness = {
    fleet,
    table,
    store,
    queues,
    now,
    errors,
    async startRollout({ track, digest, strategy, targets }) {
      const id = rolloutId(track, digest);
      await createRollout(store, {
        id,
        track,
        image: { host: 'quay.io', repository: 'strata/rhcos-layered', digest },
        strategy,
        targets: targets ?? { clusterSelector: {}, pools: ['worker'] },
        status: 'Pending',
        cause: 'test',
        createdAt: now().toISOString(),
        version: 1,
      });
      await queues.plan.send({ rolloutId: id });
      return id;
    },
    control: (id, action) => controlRollout(planDeps, id, action, 'test'),
    async rollout(id) {
      return (await getRollout(own, id))!;
    },
    async pool(clusterId, pool) {
      return (await getPool(own, clusterId, pool))!;
    },
    async waitUntil(check, what, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      while (!(await check())) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    async waitForStatus(id, statuses, timeoutMs = 60_000) {
      let last: RolloutRecord | null = null;
      await harness.waitUntil(
        async () => {
          last = await getRollout(own, id);
          return last !== null && statuses.includes(last.status);
        },
        `rollout ${id} to reach ${statuses.join('|')} (last: ${(last as RolloutRecord | null)?.status})`,
        timeoutMs,
      );
      return last!;
    },
    async resync() {
      await resync({ stores, planQueue: queues.plan, reconcileQueue: queues.reconcile });
    },
    async stop() {
      for (const r of relays) await r.stop();
      queues.plan.stop();
      queues.reconcile.stop();
      queues.events.stop();
      await fleet.stop();
      await table.close();
    },
  };
  return harness;
}
