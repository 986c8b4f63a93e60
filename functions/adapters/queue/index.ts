/** The message-queue port on SQS (AWS, or the embedded SQS-compatible server locally). */
export { InvalidSendOptionsError, QueueBatchSendError } from './errors.ts';
export {
  MAX_BATCH_ENTRIES,
  SqsMessageQueue,
  type SqsMessageQueueOptions,
  sqsDelaySeconds,
} from './sqs-queue.ts';
