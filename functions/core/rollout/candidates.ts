/** MCO's candidate selection (reference/mco.md §2.3), with Strata's recorded slots counted as unavailable. */
import { ZoneLabel } from '../model.ts';
import { isNodeReady, mcoNodes, type NodeFacts, type NodeVocabulary, type PoolTarget } from './node-facts.ts';

/**
 * `sortNodeList`: zoned nodes first, by zone then creation time; then unzoned by creation time. Ties are
 * broken by name so the order is deterministic (Go's `sort.Slice` is not stable).
 */
export function sortNodeList(nodes: NodeFacts[]): NodeFacts[] {
  return [...nodes].sort((a, b) => {
    const za = a.labels[ZoneLabel];
    const zb = b.labels[ZoneLabel];
    if (za !== undefined && zb === undefined) return -1;
    if (za === undefined && zb !== undefined) return 1;
    if (za !== undefined && zb !== undefined && za !== zb) return za < zb ? -1 : 1;
    const ta = Date.parse(a.creationTimestamp);
    const tb = Date.parse(b.creationTimestamp);
    if (ta !== tb) return ta - tb;
    return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
  });
}

/** Inputs of {@link selectCandidates}. */
export interface CandidateInput {
  nodes: NodeFacts[];
  target: PoolTarget;
  maxUnavailable: number;
  /** Nodes holding a slot in the store: unavailable whatever the cluster shows (intent precedes action). */
  slotted: ReadonlySet<string>;
  /** Nodes that already failed on this target: never started again for it. */
  failedOnTarget: ReadonlySet<string>;
  /** How nodes are read (default MCO's annotations). */
  vocabulary?: NodeVocabulary;
}

/** Result of {@link selectCandidates}. */
export interface CandidateSelection {
  /** Nodes to start now, in order. */
  start: NodeFacts[];
  /** maxUnavailable − unavailable − failing (never negative). */
  capacity: number;
  unavailable: string[];
  failing: string[];
  /** Nodes that still need the target but cannot start now (not ready, failed before). */
  blocked: string[];
}

/** A node that still has to move to the target. */
export function needsTarget(node: NodeFacts, target: PoolTarget, vocabulary = mcoNodes): boolean {
  return !vocabulary.isTargeted(node, target);
}

/**
 * `getAllCandidateMachines` + `updateCandidateMachines`: capacity = maxUnavailable − unavailable − failing;
 * only ready candidates; sorted (zone, creation time, name) and truncated only when capacity is short.
 */
export function selectCandidates(input: CandidateInput): CandidateSelection {
  const { nodes, target, maxUnavailable, slotted, failedOnTarget } = input;
  const vocabulary = input.vocabulary ?? mcoNodes;
  const unavailable = nodes
    .filter((n) => slotted.has(n.name) || vocabulary.isUnavailable(n))
    .map((n) => n.name);
  const unavailableSet = new Set(unavailable);
  const none = (capacity: number, failing: string[], blocked: string[]): CandidateSelection => ({
    start: [],
    capacity,
    unavailable,
    failing,
    blocked,
  });
  if (unavailable.length >= maxUnavailable) return none(0, [], []);
  let capacity = maxUnavailable - unavailable.length;
  const candidates: NodeFacts[] = [];
  const failing: string[] = [];
  const blocked: string[] = [];
  for (const node of [...nodes].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (unavailableSet.has(node.name)) continue;
    const candidate = needsTarget(node, target, vocabulary);
    if (!candidate) {
      if (vocabulary.isFailing(node)) failing.push(node.name);
      continue;
    }
    if (failedOnTarget.has(node.name) || !isNodeReady(node)) {
      blocked.push(node.name);
      continue;
    }
    candidates.push(node);
  }
  if (failing.length >= capacity) return none(0, failing, blocked);
  capacity -= failing.length;
  const start = capacity < candidates.length ? sortNodeList(candidates).slice(0, capacity) : candidates;
  return { start, capacity, unavailable, failing, blocked };
}
