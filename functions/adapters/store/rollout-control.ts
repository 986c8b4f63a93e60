/**
 * A rollout's manual control as the admin API and tests apply it: one conditional write of the rollout
 * (core/rollout/lifecycle.ts decides the transition), its audit event, and the planner's nudge.
 */
import type { Dependencies } from '../../core/dependencies.ts';
import type { RolloutRecord } from '../../core/model.ts';
import * as rollout from '../../core/rollout/index.ts';
import type { AuditEvent, Stores } from '../../core/stores.ts';

/**
 * Applies a manual control (core/rollout/lifecycle.ts), conditional on the rollout's version, and asks the
 * planner to act on it. Pause and abort stop new node starts at once; nodes in flight finish.
 * @throws NotFoundError, InvalidTransitionError (naming the rollout, its status and the action).
 */
export async function controlRollout(
  deps: Pick<Dependencies, 'planQueue' | 'now'> & { stores: Pick<Stores, 'rollouts' | 'events'> },
  id: string,
  action: rollout.RolloutAction,
  actor = 'cli',
): Promise<RolloutRecord> {
  const at = (deps.now ?? (() => new Date()))().toISOString();
  let event: AuditEvent | undefined;
  const written = await deps.stores.rollouts.updateRollout(id, (current) => {
    if (!current) throw new rollout.NotFoundError(`rollout ${id}: not found`);
    const applied = rollout.applyAction(current, action, at, actor);
    event = applied.event;
    return applied.next;
  });
  await deps.stores.events.appendEvent(event!);
  await deps.planQueue.send({ rolloutId: id });
  return written!;
}
