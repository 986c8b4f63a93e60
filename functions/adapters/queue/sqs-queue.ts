/**
 * The `MessageQueue` port on SQS: JSON bodies, `DelaySeconds` clamped to what SQS accepts, and batched
 * sends (SendMessageBatch, ten entries per call) for callers that enqueue many messages at once.
 */
import { SendMessageBatchCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { MAX_DELAY_SECONDS, type MessageQueue, type SendOptions } from '../../core/ports.ts';
import { InvalidSendOptionsError, QueueBatchSendError } from './errors.ts';

/** Entries SQS accepts in one SendMessageBatch call. */
export const MAX_BATCH_ENTRIES = 10;

/**
 * The `DelaySeconds` to send for a requested delay: whole seconds, rounded up (never deliver early),
 * clamped to 0..MAX_DELAY_SECONDS (longer waits are the resync tick's job). Undefined stays undefined so
 * the queue's own default delay applies.
 */
export function sqsDelaySeconds(delaySeconds: number | undefined): number | undefined {
  if (delaySeconds === undefined) return undefined;
  if (typeof delaySeconds !== 'number' || !Number.isFinite(delaySeconds)) {
    throw new InvalidSendOptionsError(
      `delaySeconds must be a finite number of seconds, got ${String(delaySeconds)}`,
    );
  }
  return Math.min(MAX_DELAY_SECONDS, Math.max(0, Math.ceil(delaySeconds)));
}

/** Options of an SQS-backed queue. */
export interface SqsMessageQueueOptions {
  client: SQSClient;
  queueUrl: string;
}

/** A `MessageQueue` that sends JSON messages to one SQS queue. */
export class SqsMessageQueue<T> implements MessageQueue<T> {
  readonly queueUrl: string;
  readonly #client: SQSClient;

  constructor(options: SqsMessageQueueOptions) {
    this.#client = options.client;
    this.queueUrl = options.queueUrl;
  }

  /** Sends one message (JSON body). */
  async send(body: T, options: SendOptions = {}): Promise<void> {
    const delay = sqsDelaySeconds(options.delaySeconds);
    await this.#client.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: JSON.stringify(body),
        DelaySeconds: delay,
      }),
    );
  }

  /**
   * Sends many messages with SendMessageBatch, ten per call, all with the same options. Entries SQS
   * refuses are reported together in a `QueueBatchSendError` after every chunk was tried.
   */
  async sendBatch(bodies: readonly T[], options: SendOptions = {}): Promise<void> {
    const delay = sqsDelaySeconds(options.delaySeconds);
    const encoded = bodies.map((body) => JSON.stringify(body));
    const failed: { index: number; code: string; message: string }[] = [];
    for (let start = 0; start < encoded.length; start += MAX_BATCH_ENTRIES) {
      const chunk = encoded.slice(start, start + MAX_BATCH_ENTRIES);
      const result = await this.#client.send(
        new SendMessageBatchCommand({
          QueueUrl: this.queueUrl,
          Entries: chunk.map((messageBody, i) => ({
            Id: String(start + i),
            MessageBody: messageBody,
            DelaySeconds: delay,
          })),
        }),
      );
      for (const entry of result.Failed ?? []) {
        failed.push({
          index: Number(entry.Id),
          code: entry.Code ?? 'Unknown',
          message: entry.Message ?? 'no reason given',
        });
      }
    }
    if (failed.length > 0) throw new QueueBatchSendError(this.queueUrl, failed);
  }
}
