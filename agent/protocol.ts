/**
 * The node-annotation protocol between Strata's control plane (the `agent` driver) and the node agent.
 * Strata's own vocabulary (never MCO's): the control plane writes the target and the reboot request, the
 * agent writes where the node stands. docs/agent.md describes every value.
 */

/** Node annotations of the protocol. */
export const AgentAnnotations = {
  /** Control plane: the image the node should run, always `repo@sha256:…`. */
  desiredImage: 'strata.io/desired-image',
  /**
   * Control plane: permission to reboot, its value the desired image the node may reboot into. Set only once
   * the node reports Staged for that image and has been cordoned and drained. The agent removes it when it
   * acts on it (entering Rebooting) and whenever it starts over (a stale request never reboots a node).
   */
  reboot: 'strata.io/reboot',
  /**
   * Control plane: retry a Degraded node, its value the desired image to retry. The agent removes it with
   * its next transition; only a Degraded node whose desired image equals the value starts over.
   */
  retry: 'strata.io/retry',
  /** Agent: `Staging` | `Staged` | `Rebooting` | `Done` | `Degraded`. */
  state: 'strata.io/state',
  /** Agent: the image the current state is about (the desired image when the state began). */
  stateImage: 'strata.io/state-image',
  /** Agent: ISO time the current state began; the per-state timeouts run from it. */
  stateSince: 'strata.io/state-since',
  /** Agent: the booted image, `repo@sha256:…` ('' when the host does not run a container image). */
  currentImage: 'strata.io/current-image',
  /** Agent: why the node is Degraded ('' otherwise). */
  reason: 'strata.io/reason',
  /** Agent: the host's boot ID, recorded when entering Rebooting and at Done. */
  bootId: 'strata.io/boot-id',
} as const;

/** Every annotation key of the protocol. */
export const PROTOCOL_KEYS: readonly string[] = Object.values(AgentAnnotations);

/** The annotations only the agent writes. */
export const AGENT_WRITTEN_KEYS: readonly string[] = [
  AgentAnnotations.state,
  AgentAnnotations.stateImage,
  AgentAnnotations.stateSince,
  AgentAnnotations.currentImage,
  AgentAnnotations.reason,
  AgentAnnotations.bootId,
];

export const AGENT_STATES = ['Staging', 'Staged', 'Rebooting', 'Done', 'Degraded'] as const;
/** A node's state as the agent reports it. */
export type AgentState = (typeof AGENT_STATES)[number];

export function isAgentState(value: string | undefined): value is AgentState {
  return (AGENT_STATES as readonly string[]).includes(value ?? '');
}

/** A patch of annotations: a string sets, `null` removes (JSON merge patch semantics). */
export type AnnotationPatch = Record<string, string | null>;
