/**
 * A Lambda-like SQS event source mapping: long-polls a queue, gathers batches (batch size, batching
 * window), invokes the handler with a real `SQSEvent`, deletes what succeeded and leaves failures to
 * reappear after the visibility timeout (where the server's RedrivePolicy moves them to the dead-letter
 * queue after maxReceiveCount receives). At most `maxConcurrency` invocations run at once.
 */
import {
  DeleteMessageBatchCommand,
  type Message,
  type MessageAttributeValue,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Callback, Context, SQSEvent, SQSMessageAttributes, SQSRecord } from 'aws-lambda';
import { RuntimeConfigError } from './errors.ts';
import { createLambdaContext, noCallback } from './lambda-context.ts';

/**
 * An SQS-triggered handler, as Lambda calls it (an `SQSHandler` fits). Its result may be an
 * `SQSBatchResponse`. The callback is there for type compatibility only: Node 24 Lambdas return promises.
 */
export type SqsBatchHandler = (event: SQSEvent, context: Context, callback: Callback) => unknown;

/** Why (part of) a batch is left for redelivery. */
export interface PollerFailure {
  queueArn: string;
  functionName: string;
  /** Messages of the batch that will be redelivered after the visibility timeout. */
  messageIds: string[];
  error: unknown;
}

/** Options of one event source mapping. */
export interface SqsPollerOptions {
  client: SQSClient;
  queueUrl: string;
  queueArn: string;
  handler: SqsBatchHandler;
  /** Name used in the Lambda context and in failure reports. */
  functionName: string;
  /** Lambda timeout of the function (context.getRemainingTimeInMillis). Default 60. */
  functionTimeoutSeconds?: number;
  /** Most records per invocation. Default 10 (Lambda's default for SQS). */
  batchSize?: number;
  /** How long to keep gathering a batch smaller than batchSize. Default 0 (invoke with what arrived). */
  maxBatchingWindowSeconds?: number;
  /** Most invocations at once. Default 5. */
  maxConcurrency?: number;
  /** Long-poll wait per ReceiveMessage, 0..20. Default 20. */
  waitTimeSeconds?: number;
  /** Called when a handler throws, returns an invalid response, or a delete fails. Default: stderr. */
  onFailure?: (failure: PollerFailure) => void;
}

/** A running poller. */
export interface SqsPoller {
  /** Stops receiving, lets in-flight invocations finish (and their deletes), then resolves. */
  stop(): Promise<void>;
}

const MAX_RECEIVE = 10;
const RETRY_AFTER_ERROR_MS = 1000;

/** Starts polling. Errors talking to SQS are reported and retried; they never stop the poller. */
export function startSqsPoller(options: SqsPollerOptions): SqsPoller {
  const batchSize = options.batchSize ?? 10;
  const windowMs = (options.maxBatchingWindowSeconds ?? 0) * 1000;
  const concurrency = options.maxConcurrency ?? 5;
  const waitTimeSeconds = options.waitTimeSeconds ?? 20;
  const where = `poller for ${options.functionName}`;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) {
    throw new RuntimeConfigError(`${where}: batchSize must be a whole number 1..10000, got ${batchSize}`);
  }
  if (batchSize > MAX_RECEIVE && windowMs <= 0) {
    throw new RuntimeConfigError(
      `${where}: batchSize above 10 needs maxBatchingWindowSeconds > 0 (as in Lambda)`,
    );
  }
  if (!(windowMs >= 0 && windowMs <= 300_000)) {
    throw new RuntimeConfigError(`${where}: maxBatchingWindowSeconds must be 0..300`);
  }
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RuntimeConfigError(`${where}: maxConcurrency must be a whole number ≥ 1, got ${concurrency}`);
  }
  if (!Number.isInteger(waitTimeSeconds) || waitTimeSeconds < 0 || waitTimeSeconds > 20) {
    throw new RuntimeConfigError(
      `${where}: waitTimeSeconds must be a whole number 0..20, got ${waitTimeSeconds}`,
    );
  }
  const region = options.queueArn.split(':')[3] ?? 'us-east-1';
  const report = options.onFailure ?? reportToStderr;
  const stopping = new AbortController();

  const receive = async (max: number, wait: number): Promise<Message[]> => {
    const out = await options.client.send(
      new ReceiveMessageCommand({
        QueueUrl: options.queueUrl,
        MaxNumberOfMessages: Math.min(MAX_RECEIVE, max),
        WaitTimeSeconds: wait,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
      { abortSignal: stopping.signal },
    );
    return out.Messages ?? [];
  };

  /** One batch: waits for a first message, then fills up for at most the batching window. */
  const gather = async (): Promise<Message[]> => {
    const batch = await receive(batchSize, waitTimeSeconds);
    if (batch.length === 0 || windowMs === 0) return batch;
    const deadline = Date.now() + windowMs;
    try {
      while (batch.length < batchSize && !stopping.signal.aborted) {
        const left = deadline - Date.now();
        if (left <= 0) break;
        const more = await receive(batchSize - batch.length, Math.min(20, Math.floor(left / 1000)));
        batch.push(...more);
        if (more.length === 0 && left < 1000) await sleep(Math.min(left, 50), stopping.signal);
      }
    } catch (error) {
      // Stopping (or SQS failing) mid-window: what was already received is still delivered.
      if (!stopping.signal.aborted) report({ ...failureOf(options, []), error });
    }
    return batch;
  };

  const invoke = async (messages: Message[]): Promise<void> => {
    const records = messages.map((m) => toRecord(m, options.queueArn, region));
    const context = createLambdaContext({
      functionName: options.functionName,
      timeoutSeconds: options.functionTimeoutSeconds ?? 60,
      region,
    });
    let failedIds: Set<string>;
    try {
      const result = await options.handler({ Records: records }, context, noCallback(options.functionName));
      failedIds = failedItems(result, records);
    } catch (error) {
      report({
        ...failureOf(
          options,
          records.map((r) => r.messageId),
        ),
        error,
      });
      return; // Lambda: an invocation error fails the whole batch; every message comes back.
    }
    const succeeded = records.filter((r) => !failedIds.has(r.messageId));
    await deleteAll(succeeded);
  };

  const deleteAll = async (records: SQSRecord[]): Promise<void> => {
    for (let i = 0; i < records.length; i += MAX_RECEIVE) {
      const chunk = records.slice(i, i + MAX_RECEIVE);
      try {
        const out = await options.client.send(
          new DeleteMessageBatchCommand({
            QueueUrl: options.queueUrl,
            Entries: chunk.map((r, j) => ({ Id: String(j), ReceiptHandle: r.receiptHandle })),
          }),
        );
        const failed = (out.Failed ?? []).map((f) => chunk[Number(f.Id)]?.messageId ?? '?');
        if (failed.length > 0) {
          report({ ...failureOf(options, failed), error: new Error('DeleteMessageBatch refused entries') });
        }
      } catch (error) {
        report({
          ...failureOf(
            options,
            chunk.map((r) => r.messageId),
          ),
          error,
        });
      }
    }
  };

  const worker = async (): Promise<void> => {
    while (!stopping.signal.aborted) {
      let batch: Message[];
      try {
        batch = await gather();
      } catch (error) {
        if (stopping.signal.aborted) return;
        report({ ...failureOf(options, []), error });
        await sleep(RETRY_AFTER_ERROR_MS, stopping.signal);
        continue;
      }
      if (batch.length > 0) await invoke(batch);
    }
  };

  const workers = Array.from({ length: concurrency }, () => worker());
  return {
    async stop() {
      stopping.abort();
      await Promise.all(workers);
    },
  };
}

/**
 * The ids to leave on the queue, read as Lambda reads an `SQSBatchResponse` (with ReportBatchItemFailures):
 * no response or an empty list means all succeeded; an identifier that is missing, empty or not in the batch
 * makes the whole batch fail.
 */
export function failedItems(result: unknown, records: readonly SQSRecord[]): Set<string> {
  const all = new Set(records.map((r) => r.messageId));
  if (result === undefined || result === null) return new Set();
  if (typeof result !== 'object') return all;
  const failures = (result as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === undefined || failures === null) return new Set();
  if (!Array.isArray(failures)) return all;
  const failed = new Set<string>();
  for (const item of failures) {
    const id = (item as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== 'string' || !all.has(id)) return all;
    failed.add(id);
  }
  return failed;
}

/** An SQS message as a Lambda event record. */
export function toRecord(message: Message, queueArn: string, region: string): SQSRecord {
  const a = message.Attributes ?? {};
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: a.ApproximateReceiveCount ?? '1',
      SentTimestamp: a.SentTimestamp ?? '',
      SenderId: a.SenderId ?? '',
      ApproximateFirstReceiveTimestamp: a.ApproximateFirstReceiveTimestamp ?? '',
      ...(a.AWSTraceHeader ? { AWSTraceHeader: a.AWSTraceHeader } : {}),
    },
    messageAttributes: toRecordAttributes(message.MessageAttributes ?? {}),
    md5OfBody: message.MD5OfBody ?? '',
    ...(message.MD5OfMessageAttributes ? { md5OfMessageAttributes: message.MD5OfMessageAttributes } : {}),
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: region,
  };
}

function toRecordAttributes(attributes: Record<string, MessageAttributeValue>): SQSMessageAttributes {
  const out: SQSMessageAttributes = {};
  for (const [name, v] of Object.entries(attributes)) {
    out[name] = {
      dataType: v.DataType ?? 'String',
      ...(v.StringValue !== undefined ? { stringValue: v.StringValue } : {}),
      ...(v.BinaryValue !== undefined ? { binaryValue: Buffer.from(v.BinaryValue).toString('base64') } : {}),
      stringListValues: v.StringListValues ?? [],
      binaryListValues: (v.BinaryListValues ?? []).map((b) => Buffer.from(b).toString('base64')),
    };
  }
  return out;
}

function failureOf(options: SqsPollerOptions, messageIds: string[]): Omit<PollerFailure, 'error'> {
  return { queueArn: options.queueArn, functionName: options.functionName, messageIds };
}

function reportToStderr(failure: PollerFailure): void {
  const reason = failure.error instanceof Error ? failure.error.message : String(failure.error);
  const which =
    failure.messageIds.length > 0 ? ` (${failure.messageIds.length} message(s) left for retry)` : '';
  process.stderr.write(`${failure.functionName}: ${reason}${which}\n`);
}

/** Resolves after `ms`, or at once when `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
