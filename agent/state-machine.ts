/**
 * The agent's decisions, pure: from the node's annotations, the host's status, the running boot, what
 * this process is doing on the host and the clock, the one next step. Everything the agent must remember
 * across a crash or a reboot is in the node's annotations or on the host, so the same inputs after a
 * restart give the same step, and every step is safe to take twice.
 *
 * Flow for a desired image D (docs/agent.md):
 *   D ≠ booted → Staging (stage D: `bootc switch`, or `bootc rollback` when the rollback deployment holds D)
 *   → Staged (the next boot runs D) → [control plane cordons, drains, sets reboot = D]
 *   → Rebooting (boot ID recorded, reboot) → new boot: booted D and node Ready → Done; else Degraded.
 *   D = booted → Done (anything staged for another image is discarded first).
 */

import type { BootInfo, HostStatus } from './host/port.ts';
import { desiredImageProblem, digestOf, pinnedReference } from './image.ts';
import { AgentAnnotations as A, type AgentState, type AnnotationPatch, isAgentState } from './protocol.ts';

/** How long each state may last, in ms. */
export interface Timeouts {
  /** From entering Staging until the image is staged. */
  stagingMs: number;
  /** From entering Rebooting until the host runs a new boot. */
  rebootMs: number;
  /** From the start of the new boot until the booted image is verified and the node is Ready. */
  verifyMs: number;
}

/** brupop's defaults: 12 min to stage, 10 min to come back, 5 min to verify. */
export const DEFAULT_TIMEOUTS: Timeouts = {
  stagingMs: 12 * 60_000,
  rebootMs: 10 * 60_000,
  verifyMs: 5 * 60_000,
};

/** A host operation this process started (it does not survive the process). */
export type HostOperation =
  | { kind: 'stage' | 'rollback'; image: string; status: 'running' }
  | { kind: 'stage' | 'rollback'; image: string; status: 'succeeded' }
  | { kind: 'stage' | 'rollback'; image: string; status: 'failed'; reason: string };

/** Everything a decision depends on. */
export interface Observation {
  /** ms since the epoch. */
  now: number;
  annotations: Readonly<Record<string, string>>;
  /** The node's Ready condition is True. */
  nodeReady: boolean;
  boot: BootInfo;
  host: { ok: true; status: HostStatus } | { ok: false; error: string };
  operation: HostOperation | undefined;
  /** This process has already asked the host to reboot. */
  rebootIssued: boolean;
}

/** The next step. */
export type Step =
  /** Write these annotations (one merge patch), then decide again. */
  | { kind: 'patch'; patch: AnnotationPatch; why: string }
  /** Start staging `image` (in the background); decide again when it ends or at `until`. */
  | { kind: 'stage'; image: string; via: 'switch' | 'rollback'; until: number; why: string }
  /** Make the next boot run the booted image again, then decide again. */
  | { kind: 'discard'; why: string }
  /** Ask the host to reboot; decide again at `until` if still running. */
  | { kind: 'reboot'; until: number; why: string }
  /** Nothing to do until something changes, or until `until` (a deadline). */
  | { kind: 'wait'; until: number | undefined; why: string };

export interface Decision {
  step: Step;
  /** Stop the running host operation: its target is no longer wanted. */
  cancelOperation: boolean;
}

const seconds = (ms: number) => `${Math.round(ms / 1000)}s`;

/** Decides the next step. Pure: same observation, same decision. */
export function decide(obs: Observation, timeouts: Timeouts = DEFAULT_TIMEOUTS): Decision {
  const step = nextStep(obs, timeouts);
  return { step, cancelOperation: shouldCancel(obs, step) };
}

/** A running operation continues only while the node stays Staging for that image. */
function shouldCancel(obs: Observation, step: Step): boolean {
  const op = obs.operation;
  if (op?.status !== 'running') return false;
  if (step.kind === 'discard') return true;
  const patch = step.kind === 'patch' ? step.patch : {};
  const state = patch[A.state] ?? obs.annotations[A.state];
  const image = patch[A.stateImage] ?? obs.annotations[A.stateImage];
  return !(state === 'Staging' && image === op.image);
}

function nextStep(obs: Observation, timeouts: Timeouts): Step {
  const a = obs.annotations;
  const rawState = a[A.state];
  const state: AgentState | undefined = isAgentState(rawState) ? rawState : undefined;
  const stateImage = a[A.stateImage] ?? '';
  const since = Date.parse(a[A.stateSince] ?? '');
  const rebootedSinceRequest =
    state === 'Rebooting' && a[A.bootId] !== undefined && a[A.bootId] !== obs.boot.id;
  const desiredRaw = a[A.desiredImage]?.trim() || undefined;

  // A desired image that is not pinned by digest is refused, once.
  if (desiredRaw !== undefined) {
    const problem = desiredImageProblem(desiredRaw);
    if (problem !== undefined) {
      if (state === 'Degraded' && stateImage === desiredRaw) return stay(obs, 'desired image refused');
      return patchTo(obs, 'Degraded', desiredRaw, { [A.reason]: problem }, problem);
    }
  }

  if (!obs.host.ok) return hostUnavailable(obs, timeouts, state, since, rebootedSinceRequest, obs.host.error);
  const host = obs.host.status;
  const booted = pinnedReference(host.booted.image, host.booted.digest);
  // Without a desired image the node stays on what it booted.
  const desired = desiredRaw ?? booted;
  if (desired === undefined) {
    if (state === 'Done' && (a[A.currentImage] ?? '') === '') return stay(obs, 'no desired image');
    return patchTo(obs, 'Done', '', { [A.bootId]: obs.boot.id }, 'no desired image; host image unknown');
  }
  const target = digestOf(desired)!;
  const retrying = state === 'Degraded' && stateImage === desired && a[A.retry] === desired;

  // On the desired image already.
  if (host.booted.digest === target) {
    if (rebootedSinceRequest && !obs.nodeReady) {
      const deadline = obs.boot.startedAt + timeouts.verifyMs;
      if (obs.now >= deadline)
        return patchTo(
          obs,
          'Degraded',
          desired,
          {
            [A.reason]: `timeout in Verifying after ${seconds(timeouts.verifyMs)}: booted ${desired} but the node is not Ready`,
          },
          'verify timeout',
        );
      return { kind: 'wait', until: deadline, why: `booted ${desired}; waiting for the node to be Ready` };
    }
    if (host.next.digest !== host.booted.digest)
      return {
        kind: 'discard',
        why: `the next boot would run ${host.next.digest ?? 'an unknown image'}, not ${target}`,
      };
    const settled =
      state === 'Done' &&
      stateImage === desired &&
      (a[A.reason] ?? '') === '' &&
      (a[A.currentImage] ?? '') === booted &&
      a[A.reboot] === undefined &&
      a[A.retry] === undefined;
    if (settled) return { kind: 'wait', until: undefined, why: `running ${desired}` };
    return patchTo(obs, 'Done', desired, { [A.bootId]: obs.boot.id }, `running ${desired}`);
  }

  // After the requested reboot, the host runs something else than the target.
  if (rebootedSinceRequest && stateImage === desired)
    return patchTo(
      obs,
      'Degraded',
      desired,
      {
        [A.reason]: `booted digest differs: booted ${booted ?? 'an image of unknown digest'}, expected ${desired}`,
      },
      'booted the wrong image',
    );

  // A Degraded node is not retried until its desired image changes (or a retry request names it).
  if (state === 'Degraded' && stateImage === desired && !retrying) return stay(obs, 'degraded');

  const active = state === 'Staging' || state === 'Staged' || state === 'Rebooting';
  if (!active || stateImage !== desired || retrying)
    return patchTo(obs, 'Staging', desired, {}, `${booted ?? 'unknown image'} → ${desired}`);

  // A state without a readable start time is restamped: its timeout needs one.
  if (Number.isNaN(since)) return patchTo(obs, state, desired, {}, 'state-since missing');

  const stagedForTarget = host.next.digest === target;
  const op = obs.operation?.image === desired ? obs.operation : undefined;
  switch (state) {
    case 'Staging': {
      if (stagedForTarget) return patchTo(obs, 'Staged', desired, {}, `next boot runs ${desired}`);
      const deadline = since + timeouts.stagingMs;
      if (!(obs.now < deadline))
        return patchTo(
          obs,
          'Degraded',
          desired,
          { [A.reason]: `timeout in Staging after ${seconds(timeouts.stagingMs)}` },
          'staging timeout',
        );
      if (op?.status === 'failed')
        return patchTo(obs, 'Degraded', desired, { [A.reason]: op.reason }, 'staging failed');
      if (op?.status === 'succeeded')
        return patchTo(
          obs,
          'Degraded',
          desired,
          {
            [A.reason]: `staged digest differs: the next boot runs ${host.next.digest ?? 'an unknown image'}, expected ${target}`,
          },
          'staged the wrong image',
        );
      if (op?.status === 'running') return { kind: 'wait', until: deadline, why: `staging ${desired}` };
      const via = host.rollback?.digest === target ? 'rollback' : 'switch';
      return { kind: 'stage', image: desired, via, until: deadline, why: `stage ${desired} (${via})` };
    }
    case 'Staged': {
      if (!stagedForTarget)
        return patchTo(obs, 'Staging', desired, {}, `the staged deployment for ${desired} is gone`);
      if (a[A.reboot] === desired)
        return patchTo(
          obs,
          'Rebooting',
          desired,
          { [A.bootId]: obs.boot.id },
          `reboot requested into ${desired}`,
        );
      return { kind: 'wait', until: undefined, why: `staged ${desired}; waiting for the reboot request` };
    }
    case 'Rebooting': {
      const deadline = since + timeouts.rebootMs;
      if (!(obs.now < deadline))
        return patchTo(
          obs,
          'Degraded',
          desired,
          {
            [A.reason]: `timeout in Rebooting after ${seconds(timeouts.rebootMs)}: the host did not restart`,
          },
          'reboot timeout',
        );
      if (!stagedForTarget)
        return patchTo(
          obs,
          'Degraded',
          desired,
          {
            [A.reason]: `staged deployment lost before the reboot: the next boot would run ${host.next.digest ?? 'an unknown image'}, expected ${target}`,
          },
          'staged deployment lost',
        );
      if (obs.rebootIssued) return { kind: 'wait', until: deadline, why: 'rebooting' };
      return { kind: 'reboot', until: deadline, why: `reboot into ${desired}` };
    }
  }
}

/** The host status cannot be read: only deadlines can move the node. */
function hostUnavailable(
  obs: Observation,
  timeouts: Timeouts,
  state: AgentState | undefined,
  since: number,
  rebooted: boolean,
  error: string,
): Step {
  const image = obs.annotations[A.stateImage] ?? '';
  const why = `cannot read the host status: ${error}`;
  let deadline: number | undefined;
  let timeout = '';
  if (rebooted) {
    deadline = obs.boot.startedAt + timeouts.verifyMs;
    timeout = `timeout in Verifying after ${seconds(timeouts.verifyMs)}`;
  } else if (state === 'Staging') {
    deadline = since + timeouts.stagingMs;
    timeout = `timeout in Staging after ${seconds(timeouts.stagingMs)}`;
  } else if (state === 'Rebooting') {
    deadline = since + timeouts.rebootMs;
    timeout = `timeout in Rebooting after ${seconds(timeouts.rebootMs)}`;
  }
  if (deadline === undefined || Number.isNaN(deadline)) return { kind: 'wait', until: undefined, why };
  if (!(obs.now < deadline))
    return patchTo(obs, 'Degraded', image, { [A.reason]: `${timeout}: ${why}` }, timeout);
  return { kind: 'wait', until: deadline, why };
}

/**
 * Stays in the current state. Still keeps current-image on what the host booted, and clears a retry
 * request that names nothing to retry.
 */
function stay(obs: Observation, why: string): Step {
  const a = obs.annotations;
  const patch: AnnotationPatch = {};
  if (a[A.retry] !== undefined) patch[A.retry] = null;
  if (obs.host.ok) {
    const booted = pinnedReference(obs.host.status.booted.image, obs.host.status.booted.digest) ?? '';
    if (a[A.currentImage] !== booted) patch[A.currentImage] = booted;
  }
  if (Object.keys(patch).length > 0) return { kind: 'patch', patch, why: `${why}; refresh` };
  return { kind: 'wait', until: undefined, why };
}

/**
 * One transition: state, its image and start time, an empty reason unless given, the booted image, and
 * the control plane's requests cleared (a reboot request survives only the move to Staged, which it
 * follows by protocol).
 */
function patchTo(
  obs: Observation,
  state: AgentState,
  image: string,
  extra: AnnotationPatch,
  why: string,
): Step {
  const a = obs.annotations;
  const patch: AnnotationPatch = {
    [A.state]: state,
    [A.stateImage]: image,
    [A.stateSince]: new Date(obs.now).toISOString(),
    [A.reason]: '',
  };
  if (obs.host.ok) {
    const booted = pinnedReference(obs.host.status.booted.image, obs.host.status.booted.digest) ?? '';
    if ((a[A.currentImage] ?? '') !== booted || a[A.currentImage] === undefined)
      patch[A.currentImage] = booted;
  }
  if (a[A.retry] !== undefined) patch[A.retry] = null;
  if (state !== 'Staged' && a[A.reboot] !== undefined) patch[A.reboot] = null;
  Object.assign(patch, extra);
  return { kind: 'patch', patch, why: `${a[A.state] ?? '(none)'} → ${state}: ${why}` };
}
