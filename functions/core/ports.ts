/**
 * Ports: what handlers need from the outside world, as interfaces. Adapters implement them (SQS on AWS, the
 * embedded runtime locally); handlers and core code depend only on these.
 */

/** Options for sending one message. */
export interface SendOptions {
  /** Deliver no earlier than this many seconds from now (SQS `DelaySeconds`, at most 900). */
  delaySeconds?: number;
}

/** A queue that handlers send messages to. Delivery is at least once and unordered. */
export interface MessageQueue<T> {
  send(body: T, options?: SendOptions): Promise<void>;
}

/** Image queue: a push to resolve and match against tracks. */
export type { ImagePushed as ImageQueueMessage } from './model.ts';

/** Plan queue: a rollout was created or changed; plan its next wave. Carries only the key. */
export interface PlanRolloutMessage {
  rolloutId: string;
}

/** Reconcile queue: reconcile one pool of one cluster. Carries only the key (level-triggered). */
export interface ReconcilePoolMessage {
  clusterId: string;
  pool: string;
}

/**
 * Cluster-event queue: a compact change notice from a cluster's watch relay. It says only what changed;
 * the node-state handler maps it to the pool(s) to reconcile, and the reconcile re-reads the cluster.
 */
export interface ClusterEventMessage {
  clusterId: string;
  kind: 'Node' | 'MachineConfigPool';
  name: string;
  eventType: 'ADDED' | 'MODIFIED' | 'DELETED';
  /** The object's labels (nodes: to find their pool without another API call). */
  labels?: Record<string, string>;
  resourceVersion?: string;
  /** ISO time the relay saw the change. */
  observedAt: string;
}

/**
 * Check queue: one update check of one track (re-resolve its tag, its base image) or the drift check of one
 * cluster, fanned out by the update-check tick so that one slow registry or cluster holds up nothing else.
 * `cycle` names the tick that sent it (logs, and requests counted per cycle).
 */
export type CheckQueueMessage =
  | { kind: 'track'; track: string; cycle: string }
  | { kind: 'drift'; clusterId: string; cycle: string };

/** Largest delay SQS accepts; longer waits are covered by the periodic resync tick. */
export const MAX_DELAY_SECONDS = 900;
