/**
 * Carries out the pool mechanics' steps on a cluster (core/rollout/pool-mechanics.ts): `prepare` cordons,
 * drains (evictions through the Eviction API, PDBs respected) and, once nothing evictable is left, tells
 * the node's daemon its target; `uncordon` gives the node back. Every call is idempotent, so a step cut
 * short by a crash is simply performed again by the next reconcile.
 */
import { NodeAnnotations } from '../../core/model.ts';
import type { Log } from '../../core/ports.ts';
import type { ClusterPort } from '../../core/rollout/cluster-port.ts';
import type { NodeFacts } from '../../core/rollout/node-facts.ts';
import type { NodeStep } from '../../core/rollout/pool-plan.ts';

/** A point just before a side effect (the fault tests crash here). */
export interface SideEffectPoint {
  kind: 'cordon' | 'evict' | 'annotate' | 'uncordon';
  clusterId: string;
  pool: string;
  node: string;
}

/** Called before each side effect; a throw stands for a crash at that point. */
export type BeforeSideEffect = (point: SideEffectPoint) => void | Promise<void>;

/** What a step did. */
export interface StepResult {
  /** The node was given back: its slot can be freed and the next node started. */
  uncordoned: boolean;
  /** Pods are still on the node (a PDB refused an eviction): retry soon. */
  drainBlocked: boolean;
  /** The node was told its target. */
  annotated: boolean;
}

/**
 * Performs one step on `node`, updating its facts with what it changed (so a further pass in the same
 * invocation plans from them without reading the cluster again).
 */
export async function performStep(
  port: ClusterPort,
  where: { clusterId: string; pool: string },
  step: NodeStep,
  node: NodeFacts,
  before?: BeforeSideEffect,
): Promise<StepResult> {
  const result: StepResult = { uncordoned: false, drainBlocked: false, annotated: false };
  const hook = async (kind: SideEffectPoint['kind']) => before?.({ kind, ...where, node: step.node });
  if (step.kind === 'uncordon') {
    await hook('uncordon');
    await port.setUnschedulable(step.node, false);
    node.unschedulable = false;
    return { ...result, uncordoned: true };
  }
  if (step.kind !== 'prepare') return result;
  const cordon = async () => {
    if (node.unschedulable) return;
    await hook('cordon');
    await port.setUnschedulable(step.node, true);
    node.unschedulable = true;
  };
  // The first list may run alongside the cordon; the list that clears the node for annotation is always
  // taken after the cordon (and after any evictions), so a pod scheduled in between is still seen.
  const [, first] = await Promise.all([cordon(), port.listEvictablePods(step.node)]);
  // Evictions are independent; a PDB refusing one (429) is retried on a later pass.
  await Promise.all(
    first.map(async (pod) => {
      await hook('evict');
      await port.evictPod(pod);
    }),
  );
  if ((await port.listEvictablePods(step.node)).length > 0) return { ...result, drainBlocked: true };
  await hook('annotate');
  await port.setNodeAnnotations(step.node, {
    [NodeAnnotations.desiredConfig]: step.target.config,
    [NodeAnnotations.desiredImage]: step.target.image,
  });
  node.annotations[NodeAnnotations.desiredConfig] = step.target.config;
  if (step.target.image === null) delete node.annotations[NodeAnnotations.desiredImage];
  else node.annotations[NodeAnnotations.desiredImage] = step.target.image;
  return { ...result, annotated: true };
}

/** Where steps run, and what watches them. */
export interface StepContext {
  clusterId: string;
  pool: string;
  /** The rollout whose target the pool has (log lines). */
  rolloutId?: string | undefined;
  before?: BeforeSideEffect | undefined;
  log?: Log | undefined;
}

/**
 * Performs a pass's steps, per node in parallel: one node's failure does not hold the others up, and the
 * first failure is rethrown once all have settled. Each node told its target or given back is logged.
 */
export async function performSteps(
  port: ClusterPort,
  at: StepContext,
  steps: NodeStep[],
  nodes: NodeFacts[],
): Promise<{ drainBlocked: boolean; uncordoned: boolean }> {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const where = { clusterId: at.clusterId, pool: at.pool };
  const settled = await Promise.allSettled(
    steps.map((step) => performStep(port, where, step, byName.get(step.node)!, at.before)),
  );
  const failure = settled.find((r) => r.status === 'rejected');
  if (failure) throw (failure as PromiseRejectedResult).reason;
  const results = settled.map((r) => (r as PromiseFulfilledResult<StepResult>).value);
  results.forEach((r, i) => {
    if (!r.annotated && !r.uncordoned) return;
    const { node, target } = steps[i]!;
    const message = r.annotated ? 'node told its target' : 'node uncordoned';
    at.log?.({ level: 'INFO', message, ...where, node, rolloutId: at.rolloutId, config: target.config });
  });
  return { drainBlocked: results.some((r) => r.drainBlocked), uncordoned: results.some((r) => r.uncordoned) };
}
