/**
 * Plans one pass of a rollout (plan queue): supersedes older rollouts of its track, reads its clusters'
 * pools, takes the planner's decision (core/rollout/rollout-plan.ts: waves, soak, budgets), writes it
 * conditionally, then points the activated clusters' pools forward or back (plan-rollout/targets.ts). A
 * render MCO would refuse halts the rollout; halts are counted for the halted-rollout alarm.
 */
import { type SqsHandler, sqsConsumer } from '../adapters/lambda/sqs-batch.ts';
import type { Dependencies } from '../core/dependencies.ts';
import { PlanRolloutMessageSchema } from '../core/messages.ts';
import type { RolloutRecord } from '../core/model.ts';
import { MAX_DELAY_SECONDS } from '../core/ports.ts';
import { retryOnConflict } from '../core/retry.ts';
import * as core from '../core/rollout/index.ts';
import type { Stores } from '../core/stores.ts';
import * as aws from '../wiring/aws.ts';
import { applyTargets, type TargetDeps } from './plan-rollout/targets.ts';

/** What plan-rollout needs. */
export type PlanRolloutDeps = TargetDeps &
  Pick<Dependencies, 'planQueue' | 'now' | 'log' | 'metrics'> & {
    stores: Pick<Stores, 'rollouts' | 'pools' | 'clusters' | 'events' | 'rendered'>;
  };

/** After a status change was written: its audit event, the halt count, a log line. */
async function statusChanged(deps: PlanRolloutDeps, from: RolloutRecord, to: RolloutRecord, at: string) {
  if (to.status === from.status) return;
  const reason = to.progress?.failureReason;
  await deps.stores.events.appendEvent(core.statusChangedEvent(to.id, from.status, to.status, at, reason));
  if (to.status === 'Halted') deps.metrics?.halted(to.id);
  const level = to.status === 'Halted' ? 'WARN' : 'INFO';
  deps.log?.({ level, message: `rollout ${to.status}`, rolloutId: to.id, from: from.status, reason });
}

/** Plans one pass of a rollout; a lost race re-reads and plans again (core/retry.ts). */
export function planRolloutPass(deps: PlanRolloutDeps, rolloutId: string): Promise<core.PlanOutcome> {
  const { rollouts, pools, events } = deps.stores;
  return retryOnConflict(`rollout ${rolloutId}`, async () => {
    const rollout = await rollouts.getRollout(rolloutId);
    if (!rollout)
      return { rolloutId, status: null, activated: [], rolledBack: [], requeueAfterSeconds: null };
    const at = (deps.now ?? (() => new Date()))().toISOString();
    if (rollout.status === 'Pending') {
      // A newer digest takes over: older live rollouts of the track are superseded.
      for (const older of core.supersededBy(rollout, await rollouts.listRolloutsByTrack(rollout.track))) {
        const written = await rollouts.updateRollout(older.id, core.supersede(rollout));
        if (written) await events.appendEvent(core.supersededEvent(older, rollout, at));
      }
    }
    const fleet = core.rolloutFleet(rollout, await deps.stores.clusters.listClusters());
    const targeted = async (id: string) =>
      (await pools.listClusterPools(id)).filter((p) => rollout.targets.pools.includes(p.pool));
    const poolsByCluster = new Map(
      await Promise.all(fleet.map(async (c) => [c.id, await targeted(c.id)] as const)),
    );
    const clusters = core.clusterReports(rollout.id, fleet, poolsByCluster);
    const plan = core.planRollout({ rollout, progress: rollout.progress ?? null, clusters, now: at });
    // Intent: the rollout's new state first (a lost race throws, and the pass starts over).
    const planned = core.plannedRollout(rollout, plan);
    if (planned) {
      await rollouts.putRolloutIfVersion(planned, rollout.version);
      await statusChanged(deps, rollout, planned, at);
    }
    // Then the pools of every activated cluster (repairs a crash between the rollout and a pool write).
    const direction = core.poolDirection(plan.status);
    const applied = await Promise.all(
      (direction ? plan.progress.activated : []).map((id) =>
        applyTargets(deps, rollout, direction!, id, poolsByCluster.get(id) ?? [], at),
      ),
    );
    const refused = applied.flatMap((a) => a.refused);
    if (refused.length > 0) {
      // A target MCO would refuse halts the rollout before any node of that pool is touched.
      let from = rollout;
      const halted = await rollouts.updateRollout(rolloutId, (r) => {
        if (r) from = r;
        return r && core.haltedByRefusal(r, refused);
      });
      if (halted) await statusChanged(deps, from, halted, at);
    }
    const touched = applied.flatMap((a) => a.touched);
    if (direction && touched.length > 0) {
      const event = core.poolsTargetedEvent(rolloutId, direction, touched, at);
      await events.appendEvent(event);
      deps.log?.({ level: 'INFO', message: event.kind, rolloutId, pools: touched });
    }
    const requeueAfterSeconds = plan.requeueAfterSeconds;
    if (requeueAfterSeconds !== null) {
      await deps.planQueue.send(
        { rolloutId },
        { delaySeconds: Math.min(MAX_DELAY_SECONDS, requeueAfterSeconds) },
      );
    }
    const rolledBack = direction === 'rollback' ? touched : [];
    return { rolloutId, status: plan.status, activated: plan.activate, rolledBack, requeueAfterSeconds };
  });
}

/** The SQS consumer (partial batch failures reported). */
export function createPlanRolloutHandler(deps: PlanRolloutDeps): SqsHandler {
  return sqsConsumer(PlanRolloutMessageSchema, 'plan message', (m) => planRolloutPass(deps, m.rolloutId));
}

/** Lambda entry point (environment: functions/wiring/aws.ts). */
export const handler = aws.lambdaHandler('plan-rollout', (log) =>
  createPlanRolloutHandler(aws.planRolloutDeps(log)),
);
