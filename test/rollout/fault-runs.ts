/**
 * Randomised fault runs of the rollout engine on the simulator (manual clock) and dynalite. A seeded
 * scheduler plays the part of the queues: it runs reconciles of random pools, several at once (duplicated
 * messages, concurrent Lambdas), skips some (lost messages), interleaves plan passes and simulated time in
 * any order (reordering), and crashes reconciles just before a cluster side effect (after their intent
 * write). The clusters' API servers may answer some requests with 500 or 429, time out before serving
 * them, or serve them and drop the answer (an ambiguous failure: a write applied that its client saw
 * fail). Afterwards faults stop and the run is driven to its end. The simulator's checker and a count of
 * starts per node decide whether an invariant broke. With `agent`, the clusters are plain Kubernetes
 * running the real Strata node agent (the `agent` driver), whose hosts may fail to pull or boot.
 */
import { createClusterConnector } from '../../functions/adapters/cluster/connector.ts';
import { createCredentialsResolver } from '../../functions/adapters/cluster/credentials.ts';
import { staticTokens } from '../../functions/adapters/secrets/tokens.ts';
import { dynamoStores } from '../../functions/adapters/store/index.ts';
import { listAllPools } from '../../functions/adapters/store/pools.ts';
import { createRollout, getRollout } from '../../functions/adapters/store/rollouts.ts';
import {
  AgentAnnotations,
  NodeAnnotations,
  type RolloutStatus,
  rolloutId,
} from '../../functions/core/model.ts';
import type { MessageQueue } from '../../functions/core/ports.ts';
import { planRolloutPass } from '../../functions/handlers/plan-rollout.ts';
import { type PoolReconcileDeps, reconcilePool } from '../../functions/handlers/pool-reconcile.ts';
import { type Fleet, nodeAgentsOf, Prng, startFleet, type Violation } from '../../sim/index.ts';
import { startTestTable } from '../support/dynalite.ts';
import { digestOf, registerFleet } from './harness.ts';
import { fleetScenario, mcoFleetScenario } from './scenarios.ts';

/** A crash injected before a side effect. */
class InjectedCrash extends Error {
  constructor(point: string) {
    super(`injected crash before ${point}`);
    this.name = 'InjectedCrash';
  }
}

/** The result of one run. */
export interface FaultRunResult {
  seed: number;
  status: RolloutStatus | undefined;
  violations: Violation[];
  /** Nodes told the same target twice (a second start). */
  doubleStarts: string[];
  /** mco driver: pools whose predicted rendered name MCO did not render (`cluster/pool: predicted → MCO's`). */
  mismatches: string[];
  crashes: number;
  reconciles: number;
  peakUnavailable: number;
  /** Where an unfinished run stood (for replaying a seed). */
  unsettled?: unknown;
}

const ignore: MessageQueue<unknown> = { send: async () => {} };

/** Waits until no simulated node agent is in the middle of a decision (they talk HTTP in real time). */
async function agentsIdle(fleet: Fleet, agent: boolean): Promise<void> {
  if (agent) await Promise.all(fleet.clusters.map((c) => nodeAgentsOf(c).idle()));
}

/** A node MCO's daemon is still moving (Working), or done but not yet given back (cordoned). */
function inFlight(n: { unschedulable: boolean; annotations: Record<string, string> }): boolean {
  const state = n.annotations['machineconfiguration.openshift.io/state'];
  return state === 'Working' || (n.unschedulable && state === 'Done');
}

/**
 * Where a fault run happens: `annotations`, the agent driver on clusters whose daemons follow MCO's node
 * annotations (no MCO controllers); `agent`, the agent driver on plain clusters running the real node agent;
 * `mco`, the mco driver on OpenShift clusters running MCO's controllers (crashes before Strata's pool and
 * image-layer writes).
 */
export type FaultRunFleet = 'annotations' | 'agent' | 'mco';

/** Runs one seeded fault run on the given fleet. */
export async function faultRun(seed: number, on: FaultRunFleet = 'annotations'): Promise<FaultRunResult> {
  const agent = on === 'agent';
  const driver = on === 'mco' ? 'mco' : 'agent';
  const rng = new Prng(`fault-run-${agent ? 'agent-' : ''}${seed}`);
  const clusters = Array.from({ length: rng.int(1, 2) }, (_, i) => ({
    name: `c${i}`,
    nodes: rng.int(2, 5),
    maxUnavailable: rng.int(1, 2),
    agent,
  }));
  const faults = {
    ...(rng.chance(0.3) ? { updateFailure: { probability: 0.15 } } : {}),
    ...(agent && rng.chance(0.2) ? { pullFailure: { probability: 0.1 } } : {}),
    ...(agent && rng.chance(0.2) ? { imageNoBoot: { probability: 0.1 } } : {}),
    ...(rng.chance(0.3)
      ? { pdbBlock: [{ cluster: 'c0', namespace: 'shop', name: 'web-pdb', for: '20s' }] }
      : {}),
    // Ambiguous failures: requests timing out unserved, or served with the answer lost (not yet on mco).
    ...(rng.chance(0.5) && driver === 'agent'
      ? {
          api: {
            errorRate: 0.1,
            errors: ['timeout' as const, 'lost-answer' as const, '500' as const, '429' as const],
            timeoutMs: 30,
            retryAfterSeconds: 1,
          },
        }
      : {}),
  };
  const scenario =
    driver === 'mco'
      ? mcoFleetScenario({ seed, clusters, faults })
      : fleetScenario({
          seed,
          clusters,
          faults,
          ...(agent ? { agent: { timeouts: { staging: '60s' } } } : {}),
        });
  const table = await startTestTable();
  const fleet = await startFleet(scenario, { clock: 'manual' });
  const epoch = Date.parse('2026-06-01T00:00:00Z');
  const now = () => new Date(epoch + fleet.clock.now());
  const store = { doc: table.doc, tableName: table.tableName };
  let crashing = true;
  let crashes = 0;
  let reconciles = 0;
  try {
    const tokens = await registerFleet(store, fleet, now());
    const connector = createClusterConnector(store, createCredentialsResolver(staticTokens(tokens)));
    const stores = dynamoStores(store);
    const deps: PoolReconcileDeps = {
      stores,
      clusters: connector,
      reconcileQueue: ignore,
      planQueue: ignore,
      now,
      settings: { pollSeconds: 1, drainTimeoutSeconds: 60, drainRetrySeconds: 1, updateTimeoutSeconds: 300 },
      beforeSideEffect: (point) => {
        if (crashing && rng.chance(0.25)) {
          crashes++;
          throw new InjectedCrash(`${point.kind} ${point.clusterId}/${point.node}`);
        }
      },
    };
    const planDeps = { stores, clusters: connector, planQueue: ignore, reconcileQueue: ignore, now };
    const keys = clusters.map((c) => ({ clusterId: c.name, pool: 'worker' }));
    const reconcile = async (copies: number, only?: (typeof keys)[number]) => {
      const key = only ?? keys[rng.int(0, keys.length - 1)]!;
      reconciles += copies;
      const runs = await Promise.allSettled(Array.from({ length: copies }, () => reconcilePool(deps, key)));
      // A reconcile that failed on the API (after its own retries) is retried by its queue: here, later.
      for (const r of runs) {
        if (r.status === 'rejected' && !(r.reason instanceof InjectedCrash) && !apiFailure(r.reason))
          throw r.reason;
      }
    };
    const apiFailure = (error: unknown) => (error as Error).name === 'ClusterCallError';
    const advance = async (ms: number) => {
      await agentsIdle(fleet, agent);
      await fleet.advance(ms);
      await agentsIdle(fleet, agent);
    };
    const plan = () =>
      planRolloutPass(planDeps, id).catch((e) => {
        if (!apiFailure(e)) throw e;
      });
    // Baselines (the fleet at rest: every pool's config recorded, as a resync would before any rollout;
    // an agent whose first report met an API fault retries it after a delay of simulated time), then the
    // rollout.
    for (let round = 0; round < 30; round++) {
      await agentsIdle(fleet, agent);
      for (const key of keys)
        await reconcilePool({ ...deps, beforeSideEffect: undefined }, key).catch((e) => {
          if (!apiFailure(e)) throw e;
        });
      if ((await listAllPools(store)).every((p) => p.lastCompleted !== null)) break;
      await fleet.advance(1000);
    }
    const id = rolloutId('prod', digestOf(`v${seed}`));
    await createRollout(store, {
      id,
      track: 'prod',
      image: { host: 'quay.io', repository: 'strata/rhcos-layered', digest: digestOf(`v${seed}`) },
      strategy: {
        waves: [{ name: 'first', count: 1 }],
        maxConcurrentClusters: rng.int(1, 2),
        soakSeconds: rng.int(0, 5),
        poolFailureBudget: rng.int(0, 1),
        fleetFailureBudget: 1,
        onFailure: rng.chance(0.5) ? 'halt' : 'rollback',
      },
      targets: { clusterSelector: {}, pools: ['worker'] },
      status: 'Pending',
      cause: 'fault-run',
      createdAt: now().toISOString(),
      version: 1,
    });
    // Chaos: random schedule with crashes.
    for (let step = 0; step < 150; step++) {
      const r = rng.next();
      if (r < 0.45) await reconcile(rng.int(1, 3));
      else if (r < 0.6) await plan();
      else if (r < 0.65)
        continue; // a lost message
      else await advance(rng.int(200, 3000));
    }
    // Calm: no more crashes or API faults; drive every key until the rollout ends and no slot is active.
    crashing = false;
    const api = fleet.scenario.faults.api;
    if (api) fleet.injectFault({ api: { ...api, errorRate: 0 } });
    const settled = (s: RolloutStatus | undefined) =>
      s === 'Completed' || s === 'Halted' || s === 'RolledBack' || s === 'Aborted';
    for (let round = 0; round < 400; round++) {
      await plan();
      for (const key of keys) await reconcile(1, key);
      const status = (await getRollout(store, id))?.status;
      const active =
        (await listAllPools(store)).some((p) => Object.values(p.slots).some((s) => !s.failed)) ||
        // mco driver: MCO's nodes in flight finish even on a paused pool (as a slot's node does).
        (driver === 'mco' && fleet.clusters.some((c) => c.state.nodes.list().some(inFlight)));
      if (settled(status) && !active) break;
      await advance(1000);
    }
    const rollout = await getRollout(store, id);
    const status = rollout?.status;
    const report = fleet.checkInvariants();
    const unsettled = settled(status)
      ? undefined
      : {
          progress: (rollout as { progress?: unknown }).progress,
          pools: (await listAllPools(store)).map((p) => ({
            pool: `${p.clusterId}/${p.pool}`,
            target: p.target,
            reached: p.reached,
            slots: p.slots,
            failed: p.failed,
            holds: p.holds,
            rollbackTo: p.rollbackTo,
          })),
          nodes: fleet.clusters.flatMap((c) =>
            c.state.nodes.list().map((n) => ({
              node: `${c.name}/${n.name}`,
              unschedulable: n.unschedulable,
              state: n.annotations[agent ? AgentAnnotations.state : NodeAnnotations.state],
              desired:
                n.annotations[agent ? AgentAnnotations.desiredImage : NodeAnnotations.desiredImage]?.slice(
                  -8,
                ),
              current:
                n.annotations[agent ? AgentAnnotations.currentImage : NodeAnnotations.currentImage]?.slice(
                  -8,
                ),
            })),
          ),
        };
    const mismatches = (await listAllPools(store)).flatMap((p) => {
      const rendered = p.mco?.rendered;
      const wrong =
        p.mco?.mismatchReported ?? (p.target && rendered && rendered !== p.target.config ? rendered : null);
      return wrong ? [`${p.clusterId}/${p.pool}: ${p.target?.config} → ${wrong}`] : [];
    });
    const told = new Map<string, number>();
    for (const e of fleet.timeline.events) {
      if (e.kind !== 'desired') continue;
      const k = `${e.cluster}/${e.node} → ${e.detail}`;
      told.set(k, (told.get(k) ?? 0) + 1);
    }
    if (unsettled) console.log(JSON.stringify({ unsettledSeed: seed, agent, status, unsettled }));
    return {
      seed,
      status,
      violations: report.violations,
      doubleStarts: [...told].filter(([, n]) => n > 1).map(([k]) => k),
      mismatches,
      crashes,
      reconciles,
      peakUnavailable: Math.max(0, ...report.pools.map((p) => p.peakUnavailable - p.maxUnavailable)),
      ...(unsettled ? { unsettled } : {}),
    };
  } finally {
    await fleet.stop();
    await table.close();
  }
}
