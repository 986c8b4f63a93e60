/**
 * The Strata node agent's annotations read for the pool mechanics (docs/agent.md, "The control
 * plane's side"), and where a node stands in the agent protocol. A node without `strata.io/desired-image` runs
 * what it booted: its current image is what it is told.
 */
import { AgentAnnotations as A } from '../model.ts';
import { isNodeReady, type NodeFacts, type NodeVocabulary, type PoolTarget } from './node-facts.ts';

const get = (node: NodeFacts, key: string): string | undefined => node.annotations[key];

/** The image the node runs ('' when unknown). */
export function agentCurrentImage(node: NodeFacts): string {
  return get(node, A.currentImage) ?? '';
}

/** The image the node is told to run: its desired image, else what it runs. */
export function agentDesiredImage(node: NodeFacts): string {
  return get(node, A.desiredImage)?.trim() || agentCurrentImage(node);
}

/** Where a node stands towards its desired image, as the control plane acts on it. */
export type AgentPhase =
  /** Not told yet, or the agent has not taken it up (its state is about another image). */
  | 'pending'
  /** Staging the desired image while it serves. */
  | 'staging'
  /** Staged; the next boot runs it. The control plane may cordon, drain and ask for the reboot. */
  | 'staged'
  /** Staged and asked to reboot; the agent has not acted on it yet. */
  | 'reboot-requested'
  | 'rebooting'
  | 'done'
  | 'degraded';

/** The node's phase for `image` (its desired image when told; see {@link AgentPhase}). */
export function agentPhase(node: NodeFacts, image: string): AgentPhase {
  const state = get(node, A.state);
  const about = get(node, A.stateImage) ?? '';
  if (agentDesiredImage(node) !== image) return 'pending';
  if (state === 'Done' && about === image && agentCurrentImage(node) === image) return 'done';
  if (about !== image) return 'pending';
  switch (state) {
    case 'Staging':
      return 'staging';
    case 'Staged':
      return get(node, A.reboot) === image ? 'reboot-requested' : 'staged';
    case 'Rebooting':
      return 'rebooting';
    case 'Degraded':
      return 'degraded';
    default:
      return 'pending';
  }
}

/** The agent's vocabulary for the pool mechanics. */
export const agentNodes: NodeVocabulary = {
  isDone: (node) => {
    const current = agentCurrentImage(node);
    return current !== '' && agentPhase(node, current) === 'done';
  },
  isDegraded: (node) => get(node, A.state) === 'Degraded',
  // A Degraded node that serves (its staging failed) is available; one that rebooted badly is cordoned,
  // hence not ready, hence unavailable already: nothing is left to count as failing.
  isFailing: () => false,
  // Staging happens while the node serves: only a node that cannot serve, or is going down, is unavailable.
  isUnavailable: (node) => !isNodeReady(node) || get(node, A.state) === 'Rebooting',
  isTargeted: (node, target) => target.image !== null && agentDesiredImage(node) === target.image,
  isUpdated: (node, target) => target.image !== null && agentPhase(node, target.image) === 'done',
  failedOn: (node, target) => target.image !== null && agentPhase(node, target.image) === 'degraded',
  reason: (node) => (get(node, A.state) === 'Degraded' ? (get(node, A.reason) ?? '') : ''),
  current: (node) => {
    const image = agentCurrentImage(node);
    return image !== '' && agentNodes.isDone(node) ? { config: '', image } : null;
  },
};

/** The annotations that tell a node `target` (a stale reboot request is withdrawn with them). */
export function agentTargetAnnotations(node: NodeFacts, target: PoolTarget): Record<string, string | null> {
  return {
    [A.desiredImage]: target.image,
    ...(get(node, A.reboot) !== undefined ? { [A.reboot]: null } : {}),
  };
}

/** The annotations that give a node back untouched: told to stay on what it runs, no reboot request. */
export function agentCancelAnnotations(node: NodeFacts): Record<string, string | null> {
  const current = agentCurrentImage(node);
  return {
    [A.desiredImage]: current === '' ? null : current,
    ...(get(node, A.reboot) !== undefined ? { [A.reboot]: null } : {}),
  };
}

/** Since when (ms) the node has been in its agent state, or NaN. */
export function agentStateSince(node: NodeFacts): number {
  return Date.parse(get(node, A.stateSince) ?? '');
}
