/**
 * Carries out the pool mechanics' steps on a cluster (core/rollout/pool-mechanics.ts): `prepare` cordons
 * and drains when asked (evictions through the Eviction API, PDBs respected) and, once nothing evictable is
 * left, writes the annotations core chose (MCO: desiredConfig/desiredImage; agent: the desired image, or
 * the reboot request); `uncordon` gives the node back. Every call is idempotent and every node write is
 * guarded by the resourceVersion its decision was read at, so a step cut short by a crash, or retried after
 * an ambiguous failure, never applies an obsolete decision: the next reconcile reads and decides again.
 */
import { AgentAnnotations } from '../../core/model.ts';
import type { Log } from '../../core/ports.ts';
import type { ClusterPort } from '../../core/rollout/cluster-port.ts';
import { NodeChangedError } from '../../core/rollout/errors.ts';
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
  /** The node was given back (or its annotations reset): the next pass can free its slot. */
  uncordoned: boolean;
  /** Pods are still on the node (a PDB refused an eviction): retry soon. */
  drainBlocked: boolean;
  /** The node was told its target (or, agent, asked to reboot). */
  annotated: boolean;
  /** A guarded write found the node changed since it was read: its decision is dropped; plan again. */
  changed: boolean;
}

/**
 * Performs one step on `node`. Every node write is guarded by the resourceVersion the decision was taken
 * on, and the node's facts are replaced by the server's answer to each write: a further pass in the same
 * invocation plans from what the cluster confirmed, never from what was only asked for.
 */
export async function performStep(
  port: ClusterPort,
  where: { clusterId: string; pool: string },
  step: NodeStep,
  node: NodeFacts,
  before?: BeforeSideEffect,
): Promise<StepResult> {
  const result: StepResult = { uncordoned: false, drainBlocked: false, annotated: false, changed: false };
  const hook = async (kind: SideEffectPoint['kind']) => before?.({ kind, ...where, node: step.node });
  const seen = (fresh: NodeFacts) => Object.assign(node, fresh);
  try {
    if (step.kind === 'uncordon') {
      if (step.annotations) {
        await hook('annotate');
        seen(await port.setNodeAnnotations(step.node, step.annotations, node.resourceVersion));
      }
      if (node.unschedulable) {
        await hook('uncordon');
        seen(await port.setUnschedulable(step.node, false, node.resourceVersion));
      }
      return { ...result, uncordoned: !node.unschedulable };
    }
    if (step.kind !== 'prepare') return result;
    if (step.drain) {
      const cordon = async () => {
        if (node.unschedulable) return;
        await hook('cordon');
        seen(await port.setUnschedulable(step.node, true, node.resourceVersion));
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
    }
    await hook('annotate');
    seen(await port.setNodeAnnotations(step.node, step.annotations, node.resourceVersion));
    return { ...result, annotated: true };
  } catch (error) {
    if (error instanceof NodeChangedError) return { ...result, changed: true };
    throw error;
  }
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
): Promise<{ drainBlocked: boolean; uncordoned: boolean; changed: boolean }> {
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
    const step = steps[i]!;
    const message = !r.annotated
      ? 'node uncordoned'
      : step.kind === 'prepare' && AgentAnnotations.reboot in step.annotations
        ? 'node asked to reboot'
        : 'node told its target';
    const { node, target } = step;
    at.log?.({
      level: 'INFO',
      message,
      ...where,
      node,
      rolloutId: at.rolloutId,
      ...(target.config ? { config: target.config } : {}),
      image: target.image,
    });
  });
  return {
    drainBlocked: results.some((r) => r.drainBlocked),
    uncordoned: results.some((r) => r.uncordoned),
    changed: results.some((r) => r.changed),
  };
}
