/**
 * The shape every SQS consumer shares: a Powertools batch over the records, each body parsed as JSON (a body
 * that is not JSON is passed on as its text, for the handler's schema to refuse), and partial batch failures
 * reported so that only failed records come back.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type * as z from 'zod';
import { parseMessage } from '../../core/messages.ts';

/** Processes each record of `event` with `handle`; a record whose `handle` throws is reported as failed. */
export function processSqsBatch(
  event: SQSEvent,
  context: Context,
  handle: (body: unknown, record: SQSRecord) => Promise<unknown>,
): Promise<SQSBatchResponse> {
  const processor = new BatchProcessor(EventType.SQS);
  const record = async (r: SQSRecord) => handle(parseBody(r.body), r);
  return processPartialResponse(event, record, processor, { context, throwOnFullBatchFailure: false });
}

function parseBody(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return body;
  }
}

/** A Lambda handler of an SQS event source. */
export type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

/**
 * A queue consumer: each body parsed with the queue's message schema (core/messages.ts) and handed to
 * `handle`; a body that is not a message is dropped with the reason (retrying cannot fix it).
 */
export function sqsConsumer<T>(
  schema: z.ZodType<T>,
  what: string,
  handle: (message: T) => Promise<unknown>,
): SqsHandler {
  return (event, context) =>
    processSqsBatch(event, context, async (body, r) => {
      const parsed = parseMessage(schema, body, `${what} ${r.messageId}`);
      return parsed.ok ? handle(parsed.message) : { dropped: parsed.reason };
    });
}
