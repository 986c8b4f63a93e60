/** The embedded runtime: Strata's AWS control plane in one process (see docs/local-runtime.md). */

export { type LocalTable, type LocalTableOptions, startLocalTable } from './dynamo.ts';
export {
  type CreatedQueue,
  type EmbeddedSqs,
  type EmbeddedSqsOptions,
  type QueueAddress,
  type QueueDefinition,
  startEmbeddedSqs,
} from './embedded-sqs.ts';
export { RuntimeConfigError } from './errors.ts';
export { createLambdaContext, type LocalFunction } from './lambda-context.ts';
export {
  type QueueOverrides,
  type Runtime,
  type RuntimeContext,
  type RuntimeHandlers,
  type RuntimeOptions,
  type RuntimeService,
  type StartedService,
  startRuntime,
} from './runtime.ts';
export {
  failedItems,
  type PollerFailure,
  type SqsBatchHandler,
  type SqsPoller,
  type SqsPollerOptions,
  startSqsPoller,
  toRecord,
} from './sqs-poller.ts';
export { type ScheduledHandler, startTick, type Tick, type TickOptions } from './ticks.ts';
export {
  type ConsumerName,
  RESYNC_TICK,
  WORK_QUEUE_NAMES,
  type WorkQueueName,
  type WorkQueueSpec,
  workQueueSpecs,
} from './work-queues.ts';
