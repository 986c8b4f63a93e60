/**
 * The node port: the agent's own Node object. Implemented over `@kubernetes/client-node` (kube.ts); the
 * simulator runs the same implementation against its API servers.
 */
import type { AnnotationPatch } from '../protocol.ts';

/** What the agent reads of its Node. */
export interface NodeSnapshot {
  name: string;
  /** For optimistic concurrency: a patch carrying it fails with a conflict if the node changed since. */
  resourceVersion: string;
  annotations: Readonly<Record<string, string>>;
  /** The Ready condition is True. */
  ready: boolean;
}

/** The node changed since the snapshot a patch was based on. */
export class NodeConflictError extends Error {
  constructor(node: string) {
    super(`node "${node}" changed since it was read (409 Conflict)`);
    this.name = 'NodeConflictError';
  }
}

/** A running watch. */
export interface NodeWatch {
  stop(): void;
}

export interface NodePort {
  readonly name: string;
  get(): Promise<NodeSnapshot>;
  /**
   * Calls `onChange` with the node now and on every change, resuming after disconnects on its own;
   * `onProblem` hears about disconnects and errors (informational).
   */
  watch(onChange: (node: NodeSnapshot) => void, onProblem?: (message: string) => void): NodeWatch;
  /**
   * One JSON merge patch of annotations (a `null` value removes), conditional on `resourceVersion`.
   * @throws NodeConflictError when the node changed since.
   */
  patchAnnotations(patch: AnnotationPatch, resourceVersion: string): Promise<NodeSnapshot>;
  /** Releases the connections it owns. */
  close(): Promise<void>;
}
