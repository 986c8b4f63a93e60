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

/** The messages each queue carries: schemas and types in ./messages.ts. */
export type {
  CheckQueueMessage,
  ClusterEventMessage,
  ImagePushed as ImageQueueMessage,
  PlanRolloutMessage,
  ReconcilePoolMessage,
} from './messages.ts';

/** Largest delay SQS accepts; longer waits are covered by the periodic resync tick. */
export const MAX_DELAY_SECONDS = 900;
