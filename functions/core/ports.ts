/**
 * Ports: what handlers need from the outside world, as interfaces. Adapters implement them (SQS on AWS, the
 * embedded runtime locally); handlers and core code depend only on these.
 */

import type { BaseImageUpdated } from './checks/events.ts';

/** Options for sending one message. */
export interface SendOptions {
  /** Deliver no earlier than this many seconds from now (SQS `DelaySeconds`, at most 900). */
  delaySeconds?: number;
}

/** A queue that handlers send messages to. Delivery is at least once and unordered. */
export interface MessageQueue<T> {
  send(body: T, options?: SendOptions): Promise<void>;
  /** Sends many messages in as few requests as the queue allows (SQS: ten per SendMessageBatch). */
  sendBatch?(bodies: readonly T[], options?: SendOptions): Promise<void>;
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

/**
 * One structured log line. Correlation keys, when a line is about them: `rolloutId`, `clusterId`, `pool`,
 * `node` (and `track`); never secrets or request bodies.
 */
export interface LogLine {
  level: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  message: string;
  [field: string]: unknown;
}

/** Where handlers log: Powertools Logger on AWS (adapters/lambda/logger.ts), warnings only locally. */
export type Log = (line: LogLine) => void;

/** A log that keeps nothing (the default where none is given). */
export const silentLog: Log = () => undefined;

/** What admin's `POST /v1/checks` runs: the update check's tick, now (its fan-out, for some tracks only). */
export interface CheckTrigger {
  run(only?: {
    tracks?: string[];
    drift?: boolean;
  }): Promise<{ cycle: string; tracks: string[]; clusters: string[] }>;
}

/** Counts rollouts that halted (the stack alarms on `Strata/RolloutHalted`). */
export interface RolloutMetrics {
  halted(rolloutId: string): void;
}

/**
 * Publishes BaseImageUpdated events (EventBridge on AWS). Delivery is at least once: consumers
 * de-duplicate on `event.id`.
 */
export interface EventPublisher {
  publish(event: BaseImageUpdated): Promise<void>;
}

/** Where tokens given to `POST /v1/clusters` are kept (an in-memory map locally; none on AWS). */
export interface TokenStore {
  put(secretName: string, token: string): Promise<void>;
}

/** Declares the digest a tag points at without a registry (the embedded runtime's `publish IMAGE@DIGEST`). */
export type DeclareDigest = (
  image: { host: string; repository: string; tag: string },
  digest: string,
) => void;
