/**
 * The work queues, their consumers and the tick, as lib/control-plane.ts defines them on AWS: the same
 * visibility timeouts, maxReceiveCount, batch sizes, maxConcurrency, Lambda timeouts and environment
 * variable names. Keep the two in step (test/local/work-queues.test.ts compares them with the stack source).
 */

/** Work queues of the control plane. */
export const WORK_QUEUE_NAMES = ['image', 'plan', 'reconcile', 'clusterEvent', 'check'] as const;
export type WorkQueueName = (typeof WORK_QUEUE_NAMES)[number];

/** Handlers that consume a work queue (Lambda SQS event sources on AWS). */
export type ConsumerName = 'image-push' | 'plan-rollout' | 'pool-reconcile' | 'node-state' | 'update-check';

/** One work queue and its consumer. */
export interface WorkQueueSpec {
  /** Queue name in the embedded server; its DLQ is `<name>-dlq`. */
  queueName: string;
  /** Environment variable that carries the queue URL to handlers. */
  urlVariable: string;
  visibilityTimeoutSeconds: number;
  maxReceiveCount: number;
  consumer: {
    name: ConsumerName;
    batchSize: number;
    maxBatchingWindowSeconds: number;
    maxConcurrency: number;
    /** The consumer's Lambda timeout. */
    timeoutSeconds: number;
  };
}

/** Default cluster-caller concurrency of the reconcile consumer (the stack's `maxClusterCallers`). */
export const DEFAULT_MAX_CLUSTER_CALLERS = 10;

/** The work queues as the stack defines them (`maxClusterCallers` bounds the reconcile consumer). */
export function workQueueSpecs(
  maxClusterCallers = DEFAULT_MAX_CLUSTER_CALLERS,
): Record<WorkQueueName, WorkQueueSpec> {
  return {
    image: {
      queueName: 'strata-image',
      urlVariable: 'IMAGE_QUEUE_URL',
      visibilityTimeoutSeconds: 180,
      maxReceiveCount: 5,
      consumer: {
        name: 'image-push',
        batchSize: 10,
        maxBatchingWindowSeconds: 0,
        maxConcurrency: 5,
        timeoutSeconds: 120,
      },
    },
    plan: {
      queueName: 'strata-plan',
      urlVariable: 'PLAN_QUEUE_URL',
      visibilityTimeoutSeconds: 180,
      maxReceiveCount: 5,
      consumer: {
        name: 'plan-rollout',
        batchSize: 10,
        maxBatchingWindowSeconds: 0,
        maxConcurrency: 5,
        timeoutSeconds: 120,
      },
    },
    reconcile: {
      queueName: 'strata-reconcile',
      urlVariable: 'RECONCILE_QUEUE_URL',
      visibilityTimeoutSeconds: 360,
      maxReceiveCount: 5,
      consumer: {
        name: 'pool-reconcile',
        batchSize: 5,
        maxBatchingWindowSeconds: 0,
        maxConcurrency: Math.max(2, maxClusterCallers),
        timeoutSeconds: 300,
      },
    },
    clusterEvent: {
      queueName: 'strata-cluster-event',
      urlVariable: 'CLUSTER_EVENT_QUEUE_URL',
      visibilityTimeoutSeconds: 180,
      maxReceiveCount: 5,
      consumer: {
        name: 'node-state',
        batchSize: 10,
        maxBatchingWindowSeconds: 0,
        maxConcurrency: 5,
        timeoutSeconds: 60,
      },
    },
    check: {
      queueName: 'strata-check',
      urlVariable: 'CHECK_QUEUE_URL',
      visibilityTimeoutSeconds: 180,
      maxReceiveCount: 5,
      consumer: {
        name: 'update-check',
        batchSize: 10,
        maxBatchingWindowSeconds: 0,
        maxConcurrency: 5,
        timeoutSeconds: 120,
      },
    },
  };
}

/** The resync tick (EventBridge Scheduler `rate(1 minute)` → the resync function, 60 s timeout). */
export const RESYNC_TICK = {
  name: 'strata-resync',
  functionName: 'resync',
  intervalSeconds: 60,
  timeoutSeconds: 60,
};

/**
 * The update-check tick (EventBridge Scheduler `rate(15 minutes)` → the update-check function, which also
 * consumes the check queue it fans out on; 120 s timeout).
 */
export const UPDATE_CHECK_TICK = {
  name: 'strata-update-check',
  functionName: 'update-check',
  intervalSeconds: 900,
  timeoutSeconds: 120,
};
