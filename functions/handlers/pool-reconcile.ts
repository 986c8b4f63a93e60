import { SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { ClusterConnector } from '../adapters/cluster/connector.ts';
import { createClusterConnector } from '../adapters/cluster/connector.ts';
import { createCredentialsResolver } from '../adapters/cluster/credentials.ts';
import { SqsMessageQueue } from '../adapters/queue/index.ts';
import { clusterTokensFromEnvironment } from '../adapters/secrets/index.ts';
import type { StoreContext } from '../adapters/store/context.ts';
import { getPool, putPoolIfVersion } from '../adapters/store/pools.ts';
import { getRollout } from '../adapters/store/rollouts.ts';
import { createDocumentClient } from '../adapters/store/table.ts';
import { parseMessage, ReconcilePoolMessageSchema } from '../core/messages.ts';
import { NodeAnnotations, type RolloutStatus } from '../core/model.ts';
import {
  MAX_DELAY_SECONDS,
  type MessageQueue,
  type PlanRolloutMessage,
  type ReconcilePoolMessage,
} from '../core/ports.ts';
import { VersionConflictError } from '../core/retry.ts';
import {
  type ClusterPort,
  calculatePoolStatus,
  isNodeDone,
  isWindowOpen,
  type NodeFacts,
  type NodeStep,
  nextWindowOpening,
  type PoolTarget,
  planPool,
  primaryPool,
  type StartHold,
  targetKey,
} from '../core/rollout/index.ts';
import type { PoolRecord } from '../core/rollout/pool-state.ts';
import { processSqsBatch } from './sqs-batch.ts';

/** Timing of the reconcile. */
export interface PoolReconcileSettings {
  /** Requeue delay while nodes are in flight, in seconds (cluster events usually come sooner). */
  pollSeconds: number;
  /** A drain still blocked after this long reports the node stuck (it keeps its slot). */
  drainTimeoutSeconds: number;
  /** Requeue delay after a PDB refused an eviction (HTTP 429). */
  drainRetrySeconds: number;
  /** Passes per invocation: after an uncordon the next node starts in the same invocation. */
  maxPasses: number;
}

const DEFAULTS: PoolReconcileSettings = {
  pollSeconds: 10,
  drainTimeoutSeconds: 900,
  drainRetrySeconds: 5,
  maxPasses: 4,
};

/** A point just before a side effect (the fault tests crash here). */
export interface SideEffectPoint {
  kind: 'cordon' | 'evict' | 'annotate' | 'uncordon';
  clusterId: string;
  pool: string;
  node: string;
}

/** What pool-reconcile needs. */
export interface PoolReconcileDeps {
  store: StoreContext;
  clusters: ClusterConnector;
  reconcileQueue: MessageQueue<ReconcilePoolMessage>;
  planQueue: MessageQueue<PlanRolloutMessage>;
  now?: () => Date;
  settings?: Partial<PoolReconcileSettings>;
  /** Called before each cluster side effect; a throw here stands for a crash at that point. */
  beforeSideEffect?: (point: SideEffectPoint) => void | Promise<void>;
}

/** The outcome of one reconcile. */
export interface PoolReconcileOutcome {
  clusterId: string;
  pool: string;
  started: string[];
  released: string[];
  holds: StartHold[];
  done: boolean;
  /** Lost optimistic-concurrency races (re-read and re-planned). */
  conflicts: number;
  requeueAfterSeconds: number | null;
}

function holdsFor(status: RolloutStatus | undefined): StartHold[] {
  if (status === 'Paused') return ['paused'];
  if (status === 'Halted' || status === 'Aborted' || status === 'Superseded') return ['halted'];
  return [];
}

/** The pool item's intent: what must be written before any side effect. */
function intent(p: PoolRecord): string {
  return JSON.stringify([p.slots, p.failed, p.stuck, p.lastCompleted, p.reached, p.stalled ?? false]);
}

/** What the pool item reports (status, holds): written once per invocation, after the work. */
function reported(p: PoolRecord): string {
  return JSON.stringify([p.holds, p.status]);
}

/** The config all nodes agree on and are done with, if they do (the baseline before any rollout). */
function agreedConfig(nodes: NodeFacts[]): PoolTarget | null {
  if (nodes.length === 0 || !nodes.every(isNodeDone)) return null;
  const first = nodes[0]!.annotations;
  const config = first[NodeAnnotations.currentConfig]!;
  const image = first[NodeAnnotations.currentImage] ?? null;
  const same = nodes.every(
    (n) =>
      n.annotations[NodeAnnotations.currentConfig] === config &&
      (n.annotations[NodeAnnotations.currentImage] ?? null) === image,
  );
  return same ? { config, image } : null;
}

interface StepResult {
  uncordoned: boolean;
  drainBlocked: boolean;
}

async function performStep(
  deps: PoolReconcileDeps,
  port: ClusterPort,
  key: ReconcilePoolMessage,
  step: NodeStep,
  node: NodeFacts,
): Promise<StepResult> {
  const hook = async (kind: SideEffectPoint['kind']) =>
    deps.beforeSideEffect?.({ kind, clusterId: key.clusterId, pool: key.pool, node: step.node });
  if (step.kind === 'uncordon') {
    await hook('uncordon');
    await port.setUnschedulable(step.node, false);
    node.unschedulable = false;
    return { uncordoned: true, drainBlocked: false };
  }
  if (step.kind !== 'prepare') return { uncordoned: false, drainBlocked: false };
  const cordon = async () => {
    if (node.unschedulable) return;
    await hook('cordon');
    await port.setUnschedulable(step.node, true);
    node.unschedulable = true;
  };
  // The first list may run alongside the cordon; the list that clears the node for annotation is always
  // taken after the cordon (and after any evictions), so a pod scheduled in between is still seen.
  const [, first] = await Promise.all([cordon(), port.listEvictablePods(step.node)]);
  if (first.length > 0) {
    // Evictions are independent; a PDB refusing one (429) is retried on a later pass.
    await Promise.all(
      first.map(async (pod) => {
        await hook('evict');
        await port.evictPod(pod);
      }),
    );
  }
  if ((await port.listEvictablePods(step.node)).length > 0) return { uncordoned: false, drainBlocked: true };
  await hook('annotate');
  await port.setNodeAnnotations(step.node, {
    [NodeAnnotations.desiredConfig]: step.target.config,
    [NodeAnnotations.desiredImage]: step.target.image,
  });
  node.annotations[NodeAnnotations.desiredConfig] = step.target.config;
  if (step.target.image === null) delete node.annotations[NodeAnnotations.desiredImage];
  else node.annotations[NodeAnnotations.desiredImage] = step.target.image;
  return { uncordoned: false, drainBlocked: false };
}

/**
 * Reconciles one pool. Safe to run concurrently with itself and to repeat: only the pass whose intent
 * write wins acts, and every cluster call is idempotent.
 */
export async function reconcilePool(
  deps: PoolReconcileDeps,
  key: ReconcilePoolMessage,
): Promise<PoolReconcileOutcome> {
  const settings = { ...DEFAULTS, ...deps.settings };
  const now = deps.now ?? (() => new Date());
  const outcome: PoolReconcileOutcome = {
    ...key,
    started: [],
    released: [],
    holds: [],
    done: false,
    conflicts: 0,
    requeueAfterSeconds: null,
  };
  const { record: cluster, port } = await deps.clusters.connect(key.clusterId);
  let drainBlocked = false;
  let windowClosed = false;
  let slotsHeld = false;
  let notifyPlan = false;
  let rolloutId: string | null = null;
  // What this invocation last read or wrote; after its own uncordon, a pass re-plans from these (updated
  // with the calls it made) instead of re-reading, so the next node starts without a round of reads.
  let known: { pool: PoolRecord; rolloutStatus: RolloutStatus | undefined; nodes: NodeFacts[] } | null = null;
  let lastComputed: PoolRecord | null = null;
  for (let pass = 0; pass < settings.maxPasses; pass++) {
    if (!known) {
      // The pool item and the cluster's nodes are independent reads: one round trip instead of two.
      const [pool, all] = await Promise.all([getPool(deps.store, key.clusterId, key.pool), port.listNodes()]);
      if (!pool) return outcome;
      const rollout = pool.target ? await getRollout(deps.store, pool.target.rolloutId) : null;
      known = {
        pool,
        rolloutStatus: rollout?.status,
        nodes: all.filter((n) => primaryPool(n.labels, cluster.pools) === key.pool),
      };
    }
    const current = known.pool;
    const nodes = known.nodes;
    const at = now();
    rolloutId = current.target?.rolloutId ?? null;
    const holds = holdsFor(known.rolloutStatus);
    windowClosed = !isWindowOpen(cluster.windows, at);
    if (windowClosed) holds.push('window-closed');
    const target: PoolTarget | null = current.target
      ? { config: current.target.config, image: current.target.image }
      : null;
    const plan = planPool({
      nodes,
      target,
      ...(current.maxUnavailable !== undefined ? { maxUnavailable: current.maxUnavailable } : {}),
      slots: current.slots,
      failed: current.failed,
      holds,
      now: at.toISOString(),
      drainTimeoutSeconds: settings.drainTimeoutSeconds,
    });

    // Intent: the whole next state of the pool item, written before anything is touched.
    const next: PoolRecord = structuredClone(current);
    next.updatedAt = at.toISOString();
    next.holds = plan.holds;
    for (const name of plan.release) delete next.slots[name];
    for (const step of plan.steps) {
      if (!next.slots[step.node]) next.slots[step.node] = { target: step.target, since: at.toISOString() };
      else if (plan.retarget.includes(step.node)) {
        // A new target restarts the drain clock (a failed node taken over by a rollback is already drained).
        next.slots[step.node] = { target: step.target, since: at.toISOString() };
      }
    }
    for (const name of plan.newlyFailed) {
      next.slots[name] = { ...next.slots[name]!, failed: true };
      next.failed[name] = targetKey(next.slots[name]!.target);
    }
    for (const name of plan.newlyStuck) {
      next.slots[name] = { ...next.slots[name]!, stuck: true };
      if (!next.stuck.includes(name)) next.stuck.push(name);
    }
    next.stuck = next.stuck.filter((n) => next.slots[n]?.stuck);
    if (target) {
      next.status = calculatePoolStatus({
        nodes,
        target,
        paused: plan.holds.includes('paused'),
        now: at.toISOString(),
        ...(current.status ? { previous: current.status } : {}),
      });
      if (plan.done) {
        next.lastCompleted = target;
        next.reached = true;
      }
    } else {
      next.lastCompleted = current.lastCompleted ?? agreedConfig(nodes);
    }
    next.stalled = plan.stalled;
    if (
      (plan.done && !current.reached) ||
      plan.newlyFailed.length > 0 ||
      (plan.stalled && !current.stalled)
    ) {
      notifyPlan = true;
    }

    lastComputed = next;
    if (intent(next) !== intent(current)) {
      try {
        known.pool = await putPoolIfVersion(deps.store, next, current.version);
      } catch (error) {
        if (error instanceof VersionConflictError) {
          outcome.conflicts++;
          known = null;
          continue;
        }
        throw error;
      }
    }
    outcome.started.push(...plan.start);
    outcome.released.push(...plan.release);
    outcome.holds = plan.holds;
    outcome.done = plan.done;

    // Side effects, per node in parallel; one node's failure does not hold the others up.
    const byName = new Map(nodes.map((n) => [n.name, n]));
    const results = await Promise.allSettled(
      plan.steps.map((step) => performStep(deps, port, key, step, byName.get(step.node)!)),
    );
    const failure = results.find((r) => r.status === 'rejected');
    if (failure) throw (failure as PromiseRejectedResult).reason;
    const done = results.map((r) => (r as PromiseFulfilledResult<StepResult>).value);
    drainBlocked = done.some((r) => r.drainBlocked);
    slotsHeld = Object.values(next.slots).some((s) => !s.failed);
    // An uncordon frees a slot: go round again to release it and start the next node now.
    if (!done.some((r) => r.uncordoned)) break;
  }
  // The report (status counts, conditions, holds) is written once, after the work; a lost race here only
  // means another reconcile wrote a report at least as fresh.
  if (known && lastComputed && reported(lastComputed) !== reported(known.pool)) {
    try {
      known.pool = await putPoolIfVersion(
        deps.store,
        {
          ...known.pool,
          holds: lastComputed.holds,
          status: lastComputed.status,
          updatedAt: lastComputed.updatedAt,
        },
        known.pool.version,
      );
    } catch (error) {
      if (!(error instanceof VersionConflictError)) throw error;
    }
  }
  if (notifyPlan && rolloutId) await deps.planQueue.send({ rolloutId });

  const pool = known?.pool ?? (await getPool(deps.store, key.clusterId, key.pool));
  let delay: number | null = null;
  if (drainBlocked) delay = settings.drainRetrySeconds;
  else if (slotsHeld || (pool && Object.values(pool.slots).some((s) => !s.failed)))
    delay = settings.pollSeconds;
  else if (windowClosed && pool?.target && !outcome.done) {
    const opens = nextWindowOpening(cluster.windows, now());
    if (opens) delay = Math.min(MAX_DELAY_SECONDS, Math.max(1, (opens.getTime() - now().getTime()) / 1000));
  } else if (pool?.target && !outcome.done && outcome.holds.length === 0) delay = settings.pollSeconds;
  if (delay !== null) await deps.reconcileQueue.send(key, { delaySeconds: delay });
  outcome.requeueAfterSeconds = delay;
  return outcome;
}

/** Builds the SQS handler (partial batch failures reported: a failed pool is retried by SQS). */
export function createPoolReconcileHandler(
  deps: PoolReconcileDeps,
): (event: SQSEvent, context: Context) => Promise<SQSBatchResponse> {
  return (event, context) => {
    return processSqsBatch(event, context, async (body, r) => {
      const parsed = parseMessage(ReconcilePoolMessageSchema, body, `reconcile message ${r.messageId}`);
      // A malformed key can never succeed: drop it (not retried) and say why.
      return parsed.ok ? reconcilePool(deps, parsed.message) : { dropped: parsed.reason };
    });
  };
}

let built: ReturnType<typeof createPoolReconcileHandler> | undefined;

/**
 * Lambda entry point: TABLE_NAME, RECONCILE_QUEUE_URL, PLAN_QUEUE_URL; cluster tokens come from
 * CLUSTER_TOKENS (JSON name → token) locally; on AWS, tokens from Secrets Manager (strata/clusters/<id>).
 */
export const handler = (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
  if (built === undefined) {
    const tableName = process.env.TABLE_NAME;
    const reconcileUrl = process.env.RECONCILE_QUEUE_URL;
    const planUrl = process.env.PLAN_QUEUE_URL;
    if (!tableName || !reconcileUrl || !planUrl) {
      throw new Error('TABLE_NAME, RECONCILE_QUEUE_URL and PLAN_QUEUE_URL must be set');
    }
    const store = { doc: createDocumentClient(), tableName };
    const sqs = new SQSClient({});
    built = createPoolReconcileHandler({
      store,
      clusters: createClusterConnector(store, createCredentialsResolver(clusterTokensFromEnvironment())),
      reconcileQueue: new SqsMessageQueue<ReconcilePoolMessage>({ client: sqs, queueUrl: reconcileUrl }),
      planQueue: new SqsMessageQueue<PlanRolloutMessage>({ client: sqs, queueUrl: planUrl }),
    });
  }
  return built(event, context);
};
