/**
 * The shape every SQS consumer shares: a Powertools batch over the records, each body parsed as JSON (a body
 * that is not JSON is passed on as its text, for the handler's schema to refuse), and partial batch failures
 * reported so that only failed records come back.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';

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
