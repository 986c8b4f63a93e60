/**
 * The node-annotation protocol between Strata's control plane (the `agent` driver) and the node agent.
 * Strata's own vocabulary (never MCO's): the control plane writes the target and the reboot request, the
 * agent writes where the node stands. docs/agent.md describes every value.
 */
import { AgentAnnotations } from '../functions/core/model.ts';

/** Node annotations of the protocol (declared in core, which the control plane's driver reads them from). */
export { AgentAnnotations };

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
