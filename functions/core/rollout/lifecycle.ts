/**
 * The rollout lifecycle, independent of how a pool's nodes are moved: which statuses are terminal, which
 * keep a rollout moving, what a status means for its pools, the manual controls and the transitions they
 * may make, superseding by a newer digest, the halt on a render refusal, and the audit text of each change.
 */
import type { AuditEvent, RolloutRecord, RolloutStatus } from '../model.ts';
import { InvalidTransitionError } from './errors.ts';
import type { StartHold } from './pool-state.ts';

const TERMINAL: readonly RolloutStatus[] = ['Completed', 'Aborted', 'Superseded', 'RolledBack'];

/** True when the status never changes again by itself. */
export function isTerminal(status: RolloutStatus): boolean {
  return TERMINAL.includes(status);
}

/**
 * True while a rollout moves by itself: neither ended nor stopped (paused, halted). Its planner must keep
 * being asked (the resync tick), and its pools' nodes may differ from their target (drift checks).
 */
export function isLive(status: RolloutStatus): boolean {
  return !isTerminal(status) && status !== 'Paused' && status !== 'Halted';
}

/**
 * Why a pool of a rollout in `status` starts no node: paused by hand, or halted (also aborted or
 * superseded, which stop starts for good). Completed and rolled-back rollouts keep their pools on target.
 */
export function startHolds(status: RolloutStatus | undefined): StartHold[] {
  if (status === 'Paused') return ['paused'];
  if (status === 'Halted' || status === 'Aborted' || status === 'Superseded') return ['halted'];
  return [];
}

/**
 * Which way a rollout in `status` points its activated clusters' pools: at its own target (`forward`),
 * back at where they were (`rollback`), or nowhere (pending, paused, halted, ended without completing).
 */
export function poolDirection(status: RolloutStatus): 'forward' | 'rollback' | null {
  if (status === 'Progressing' || status === 'Soaking' || status === 'Completed') return 'forward';
  if (status === 'RollingBack' || status === 'RolledBack') return 'rollback';
  return null;
}

/** The rollouts a new rollout supersedes: older ones of its track that are not over yet. */
export function supersededBy(newer: RolloutRecord, sameTrack: RolloutRecord[]): RolloutRecord[] {
  return sameTrack.filter(
    (r) => r.id !== newer.id && r.createdAt <= newer.createdAt && !isTerminal(r.status),
  );
}

/** The change that supersedes a rollout by a newer one, while it is still live (null: leave it). */
export function supersede(newer: RolloutRecord): (current: RolloutRecord | null) => RolloutRecord | null {
  return (r) => (r && supersededBy(newer, [r]).length > 0 ? { ...r, status: 'Superseded' } : null);
}

/** The audit event of a rollout superseded by a newer one. */
export function supersededEvent(older: RolloutRecord, newer: RolloutRecord, at: string): AuditEvent {
  return {
    rolloutId: older.id,
    time: at,
    kind: 'Superseded',
    message: `superseded by ${newer.id} (${newer.image.digest})`,
    actor: 'planner',
  };
}

/** The audit event of a status change; the failure reason is given for halts and rollbacks. */
export function statusChangedEvent(
  rolloutId: string,
  from: RolloutStatus,
  to: RolloutStatus,
  at: string,
  failureReason?: string,
): AuditEvent {
  const why = failureReason && (to === 'Halted' || to === 'RollingBack') ? `: ${failureReason}` : '';
  return { rolloutId, time: at, kind: 'StatusChanged', message: `${from} → ${to}${why}`, actor: 'planner' };
}

/**
 * A target MCO would refuse halts the rollout before any node of that pool is touched.
 * @returns the halted rollout, or null when it is already halted or over.
 */
export function haltedByRefusal(rollout: RolloutRecord, refused: string[]): RolloutRecord | null {
  if (refused.length === 0 || isTerminal(rollout.status) || rollout.status === 'Halted') return null;
  // Refusals come from rendering for activated clusters, so the planner has recorded its progress.
  return {
    ...rollout,
    status: 'Halted',
    progress: { ...rollout.progress!, failureReason: `render refused: ${refused.join('; ')}` },
  };
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
 * Which manual controls a rollout accepts in a status (the admin API refuses the others with a 409).
 * @example allowedActions('Paused') // { pause: false, resume: true, abort: true, rollback: true }
 */
export function allowedActions(status: RolloutStatus): Record<RolloutAction, boolean> {
  const allowed = (action: RolloutAction) => ALLOWED[action].from.includes(status);
  return {
    pause: allowed('pause'),
    resume: allowed('resume'),
    abort: allowed('abort'),
    rollback: allowed('rollback'),
  };
}

/** True for a name of a manual control. */
export function isRolloutAction(name: string): name is RolloutAction {
  return Object.hasOwn(ALLOWED, name);
}

/**
 * Applies a manual control: the rollout's next state and the audit event. Pause and abort stop new node
 * starts at once (pools read the rollout's status); nodes in flight finish.
 * @throws InvalidTransitionError naming the rollout, its status and the action.
 */
export function applyAction(
  rollout: RolloutRecord,
  action: RolloutAction,
  at: string,
  actor: string,
): { next: RolloutRecord; event: AuditEvent } {
  const rule = ALLOWED[action];
  if (!rule.from.includes(rollout.status)) {
    throw new InvalidTransitionError(
      `rollout ${rollout.id}: cannot ${action} a rollout that is ${rollout.status} (allowed from ${rule.from.join(', ')})`,
    );
  }
  return {
    next: { ...rollout, status: rule.to },
    event: {
      rolloutId: rollout.id,
      time: at,
      kind: action === 'rollback' ? 'RollbackRequested' : `${action[0]!.toUpperCase()}${action.slice(1)}d`,
      message: `${rollout.status} → ${rule.to}`,
      actor,
    },
  };
}
