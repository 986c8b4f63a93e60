import { SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { type ClusterConnector, createClusterConnector } from '../adapters/cluster/connector.ts';
import { createCredentialsResolver } from '../adapters/cluster/credentials.ts';
import { renderTarget } from '../adapters/cluster/render-target.ts';
import { SqsMessageQueue } from '../adapters/queue/index.ts';
import { clusterTokensFromEnvironment } from '../adapters/secrets/index.ts';
import { listClusters } from '../adapters/store/clusters.ts';
import type { StoreContext } from '../adapters/store/context.ts';
import { appendEvent } from '../adapters/store/events.ts';
import { listClusterPools, putPoolIfVersion } from '../adapters/store/pools.ts';
import { recordRendered } from '../adapters/store/rendered.ts';
import { getRollout, listRolloutsByTrack, putRolloutIfVersion } from '../adapters/store/rollouts.ts';
import { createDocumentClient } from '../adapters/store/table.ts';
import { PlanRolloutMessageSchema, parseMessage } from '../core/messages.ts';
import { pinnedReference, type RolloutRecord, type RolloutStatus } from '../core/model.ts';
import {
  MAX_DELAY_SECONDS,
  type MessageQueue,
  type PlanRolloutMessage,
  type ReconcilePoolMessage,
} from '../core/ports.ts';
import { RenderError, UnreconcilableError } from '../core/render/index.ts';
import { VersionConflictError } from '../core/retry.ts';
import {
  type ClusterReport,
  InvalidTransitionError,
  isTerminal,
  matchesSelector,
  NotFoundError,
  type PoolReport,
  planRollout,
  type RolloutProgress,
  targetKey,
} from '../core/rollout/index.ts';
import type { PoolRecord } from '../core/rollout/pool-state.ts';
import { processSqsBatch } from './sqs-batch.ts';

/** A rollout item with the planner's bookkeeping. */
export type PlannedRollout = RolloutRecord & { progress?: RolloutProgress };

/** What plan-rollout needs. */
export interface PlanRolloutDeps {
  store: StoreContext;
  clusters: ClusterConnector;
  planQueue: MessageQueue<PlanRolloutMessage>;
  reconcileQueue: MessageQueue<ReconcilePoolMessage>;
  now?: () => Date;
}

/** The outcome of one planning pass. */
export interface PlanOutcome {
  rolloutId: string;
  status: RolloutStatus | null;
  activated: string[];
  rolledBack: string[];
  requeueAfterSeconds: number | null;
}

function report(rollout: RolloutRecord, pools: PoolRecord[]): PoolReport[] {
  return pools.map((p) => {
    const targeted = p.target?.rolloutId === rollout.id;
    const done = targeted && p.reached === true && Object.values(p.slots).every((slot) => slot.failed);
    const onRollback =
      p.rollbackTo !== null && p.target !== null && targetKey(p.target) === targetKey(p.rollbackTo);
    return {
      pool: p.pool,
      machineCount: p.status?.machineCount ?? 0,
      degraded: targeted ? Object.values(p.failed).filter((k) => k === targetKey(p.target!)).length : 0,
      targeted,
      done,
      stalled: targeted && p.stalled === true,
      restored: !targeted || (onRollback && done),
    };
  });
}

/** Supersedes older live rollouts of the same track (a newer digest takes over). */
async function supersedeOlder(deps: PlanRolloutDeps, rollout: RolloutRecord, at: string): Promise<void> {
  for (const other of await listRolloutsByTrack(deps.store, rollout.track)) {
    if (other.id === rollout.id || other.createdAt > rollout.createdAt || isTerminal(other.status)) continue;
    try {
      await putRolloutIfVersion(deps.store, { ...other, status: 'Superseded' }, other.version);
      await appendEvent(deps.store, {
        rolloutId: other.id,
        time: at,
        kind: 'Superseded',
        message: `superseded by ${rollout.id} (${rollout.image.digest})`,
        actor: 'planner',
      });
    } catch (error) {
      // Someone else changed it; the next pass sees its new state.
      if (!(error instanceof VersionConflictError)) throw error;
    }
  }
}

/** Gives a pool a target (idempotent: a pool already on it is left alone). */
async function setPoolTarget(
  deps: PlanRolloutDeps,
  pool: PoolRecord,
  target: { config: string; image: string | null; rolloutId: string },
  rollback: boolean,
): Promise<boolean> {
  let current: PoolRecord | null = pool;
  for (let attempt = 0; attempt < 5 && current; attempt++) {
    if (
      current.target &&
      current.target.rolloutId === target.rolloutId &&
      targetKey(current.target) === targetKey(target)
    ) {
      return false;
    }
    const next: PoolRecord = {
      ...current,
      target,
      reached: false,
      stalled: false,
      // The rollback target is where the pool was when this rollout first reached it.
      rollbackTo:
        rollback || current.target?.rolloutId === target.rolloutId
          ? current.rollbackTo
          : current.lastCompleted,
    };
    try {
      await putPoolIfVersion(deps.store, next, current.version);
      return true;
    } catch (error) {
      if (!(error instanceof VersionConflictError)) throw error;
      current =
        (await listClusterPools(deps.store, pool.clusterId)).find((p) => p.pool === pool.pool) ?? null;
    }
  }
  return false;
}

/** Plans one pass of a rollout. */
export async function planRolloutPass(deps: PlanRolloutDeps, rolloutId: string): Promise<PlanOutcome> {
  const now = deps.now ?? (() => new Date());
  for (let attempt = 0; attempt < 5; attempt++) {
    const rollout = (await getRollout(deps.store, rolloutId)) as PlannedRollout | null;
    if (!rollout)
      return { rolloutId, status: null, activated: [], rolledBack: [], requeueAfterSeconds: null };
    const at = now().toISOString();
    if (rollout.status === 'Pending') await supersedeOlder(deps, rollout, at);

    const clusters = (await listClusters(deps.store)).filter((c) =>
      matchesSelector(rollout.targets.clusterSelector, c.labels),
    );
    const poolsByCluster = new Map<string, PoolRecord[]>();
    for (const c of clusters) {
      const pools = (await listClusterPools(deps.store, c.id)).filter((p) =>
        rollout.targets.pools.includes(p.pool),
      );
      poolsByCluster.set(c.id, pools);
    }
    const reports: ClusterReport[] = clusters.map((c) => ({
      id: c.id,
      labels: c.labels,
      pools: report(rollout, poolsByCluster.get(c.id) ?? []),
    }));
    const plan = planRollout({ rollout, progress: rollout.progress ?? null, clusters: reports, now: at });

    // Intent: the rollout's new state first.
    const changed =
      plan.status !== rollout.status ||
      JSON.stringify(plan.progress) !== JSON.stringify(rollout.progress ?? null);
    if (changed) {
      try {
        await putRolloutIfVersion(
          deps.store,
          { ...rollout, status: plan.status, progress: plan.progress } as RolloutRecord,
          rollout.version,
        );
      } catch (error) {
        if (error instanceof VersionConflictError) continue;
        throw error;
      }
      if (plan.status !== rollout.status) {
        await appendEvent(deps.store, {
          rolloutId,
          time: at,
          kind: 'StatusChanged',
          message: `${rollout.status} → ${plan.status}${plan.progress.failureReason && (plan.status === 'Halted' || plan.status === 'RollingBack') ? `: ${plan.progress.failureReason}` : ''}`,
          actor: 'planner',
        });
      }
    }

    // Then the pools: every activated cluster's pools carry this rollout's target (repairs a crash between
    // the rollout write and a pool write), or the rollback target while rolling back.
    const image = pinnedReference(rollout.image);
    const touched: string[] = [];
    const rollingBack = plan.status === 'RollingBack' || plan.status === 'RolledBack';
    const live = plan.status === 'Progressing' || plan.status === 'Soaking' || plan.status === 'Completed';
    // Clusters are independent: give them their targets in parallel (rendering reads each cluster).
    const refused: string[] = [];
    const applyToCluster = async (clusterId: string): Promise<void> => {
      const pools = poolsByCluster.get(clusterId);
      if (!pools) return;
      if (live) {
        // Pools on this rollout but not done get a nudge: a resume or a lost message must not leave them idle.
        const reports = report(rollout, pools);
        for (const [i, pool] of pools.entries()) {
          if (reports[i]!.targeted && !reports[i]!.done) {
            await deps.reconcileQueue.send({ clusterId, pool: pool.pool });
          }
        }
        const needsTarget = pools.filter((p) => p.target?.rolloutId !== rollout.id);
        if (needsTarget.length === 0) return;
        const { port } = await deps.clusters.connect(clusterId);
        for (const pool of needsTarget) {
          let rendered: Awaited<ReturnType<typeof renderTarget>>;
          try {
            rendered = await renderTarget(port, pool.pool, image);
          } catch (error) {
            if (error instanceof RenderError || error instanceof UnreconcilableError) {
              refused.push(`${clusterId}/${pool.pool}: ${error.message}`);
              continue;
            }
            throw error;
          }
          await recordRendered(deps.store, {
            clusterId,
            pool: pool.pool,
            name: rendered.config,
            image,
            sources: rendered.sources,
            renderedAt: at,
          });
          if (await setPoolTarget(deps, pool, { config: rendered.config, image, rolloutId }, false)) {
            touched.push(`${clusterId}/${pool.pool}`);
            await deps.reconcileQueue.send({ clusterId, pool: pool.pool });
          }
        }
      } else if (rollingBack) {
        for (const pool of pools) {
          if (pool.target?.rolloutId !== rollout.id || !pool.rollbackTo) continue;
          if (targetKey(pool.target) === targetKey(pool.rollbackTo)) continue;
          if (await setPoolTarget(deps, pool, { ...pool.rollbackTo, rolloutId }, true)) {
            touched.push(`${clusterId}/${pool.pool}`);
            await deps.reconcileQueue.send({ clusterId, pool: pool.pool });
          }
        }
      }
    };
    await Promise.all(plan.progress.activated.map(applyToCluster));
    if (refused.length > 0) {
      // A target MCO would refuse halts the rollout before any node of that pool is touched.
      const latest = (await getRollout(deps.store, rolloutId)) as PlannedRollout | null;
      if (latest && !isTerminal(latest.status) && latest.status !== 'Halted') {
        const reason = `render refused: ${refused.join('; ')}`;
        try {
          await putRolloutIfVersion(
            deps.store,
            {
              ...latest,
              status: 'Halted',
              progress: { ...latest.progress!, failureReason: reason },
            } as RolloutRecord,
            latest.version,
          );
          await appendEvent(deps.store, {
            rolloutId,
            time: at,
            kind: 'StatusChanged',
            message: `${latest.status} → Halted: ${reason}`,
            actor: 'planner',
          });
        } catch (error) {
          if (!(error instanceof VersionConflictError)) throw error;
        }
      }
    }
    if (touched.length > 0) {
      await appendEvent(deps.store, {
        rolloutId,
        time: at,
        kind: rollingBack ? 'PoolsRolledBack' : 'PoolsTargeted',
        message: touched.join(', '),
        actor: 'planner',
      });
    }
    if (plan.requeueAfterSeconds !== null) {
      await deps.planQueue.send(
        { rolloutId },
        { delaySeconds: Math.min(MAX_DELAY_SECONDS, plan.requeueAfterSeconds) },
      );
    }
    return {
      rolloutId,
      status: plan.status,
      activated: plan.activate,
      rolledBack: rollingBack ? touched : [],
      requeueAfterSeconds: plan.requeueAfterSeconds,
    };
  }
  throw new VersionConflictError(`rollout ${rolloutId}: kept losing races; the message is retried`);
}

/** Manual controls of a rollout. */
export type RolloutAction = 'pause' | 'resume' | 'abort' | 'rollback';

const ALLOWED: Record<RolloutAction, { from: RolloutStatus[]; to: RolloutStatus }> = {
  pause: { from: ['Pending', 'Progressing', 'Soaking'], to: 'Paused' },
  resume: { from: ['Paused', 'Halted'], to: 'Progressing' },
  abort: { from: ['Pending', 'Progressing', 'Soaking', 'Paused', 'Halted', 'RollingBack'], to: 'Aborted' },
  rollback: { from: ['Progressing', 'Soaking', 'Paused', 'Halted', 'Completed'], to: 'RollingBack' },
};

/**
 * Applies a manual control (conditional on the rollout's version) and asks the planner to act on it.
 * Pause and abort stop new node starts at once (pools read the rollout's status); nodes in flight finish.
 * @throws NotFoundError, InvalidTransitionError (naming the rollout, its status and the action).
 */
export async function controlRollout(
  deps: Pick<PlanRolloutDeps, 'store' | 'planQueue' | 'reconcileQueue' | 'now'>,
  rolloutId: string,
  action: RolloutAction,
  actor = 'cli',
): Promise<RolloutRecord> {
  const now = deps.now ?? (() => new Date());
  for (;;) {
    const rollout = await getRollout(deps.store, rolloutId);
    if (!rollout) throw new NotFoundError(`rollout ${rolloutId}: not found`);
    const rule = ALLOWED[action];
    if (!rule.from.includes(rollout.status)) {
      throw new InvalidTransitionError(
        `rollout ${rolloutId}: cannot ${action} a rollout that is ${rollout.status} (allowed from ${rule.from.join(', ')})`,
      );
    }
    try {
      const written = await putRolloutIfVersion(deps.store, { ...rollout, status: rule.to }, rollout.version);
      await appendEvent(deps.store, {
        rolloutId,
        time: now().toISOString(),
        kind: action === 'rollback' ? 'RollbackRequested' : `${action[0]!.toUpperCase()}${action.slice(1)}d`,
        message: `${rollout.status} → ${rule.to}`,
        actor,
      });
      await deps.planQueue.send({ rolloutId });
      return written;
    } catch (error) {
      if (!(error instanceof VersionConflictError)) throw error;
    }
  }
}

/** Builds the SQS handler (partial batch failures reported). */
export function createPlanRolloutHandler(
  deps: PlanRolloutDeps,
): (event: SQSEvent, context: Context) => Promise<SQSBatchResponse> {
  return (event, context) => {
    return processSqsBatch(event, context, async (body, r) => {
      const parsed = parseMessage(PlanRolloutMessageSchema, body, `plan message ${r.messageId}`);
      return parsed.ok ? planRolloutPass(deps, parsed.message.rolloutId) : { dropped: parsed.reason };
    });
  };
}

let built: ReturnType<typeof createPlanRolloutHandler> | undefined;

/** Lambda entry point: TABLE_NAME, PLAN_QUEUE_URL, RECONCILE_QUEUE_URL, CLUSTER_TOKENS (local). */
export const handler = (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
  if (built === undefined) {
    const tableName = process.env.TABLE_NAME;
    const planUrl = process.env.PLAN_QUEUE_URL;
    const reconcileUrl = process.env.RECONCILE_QUEUE_URL;
    if (!tableName || !planUrl || !reconcileUrl) {
      throw new Error('TABLE_NAME, PLAN_QUEUE_URL and RECONCILE_QUEUE_URL must be set');
    }
    const store = { doc: createDocumentClient(), tableName };
    const sqs = new SQSClient({});
    built = createPlanRolloutHandler({
      store,
      clusters: createClusterConnector(store, createCredentialsResolver(clusterTokensFromEnvironment())),
      planQueue: new SqsMessageQueue<PlanRolloutMessage>({ client: sqs, queueUrl: planUrl }),
      reconcileQueue: new SqsMessageQueue<ReconcilePoolMessage>({ client: sqs, queueUrl: reconcileUrl }),
    });
  }
  return built(event, context);
};
