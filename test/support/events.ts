/** Event factories for handler tests: real Lambda event shapes, filled in. */
import type { Context, SQSEvent } from 'aws-lambda';

/** An SQS batch of raw message bodies, as Lambda's event source delivers it. */
export function sqsEvent(bodies: string[], queue = 'work'): SQSEvent {
  return {
    Records: bodies.map((body, i) => ({
      messageId: `m-${i}`,
      receiptHandle: `r-${i}`,
      body,
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: '0',
        SenderId: 'test',
        ApproximateFirstReceiveTimestamp: '0',
      },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: `arn:aws:sqs:us-east-1:000000000000:${queue}`,
      awsRegion: 'us-east-1',
    })),
  };
}

/** A Lambda context with a generous remaining time. */
export const lambdaContext = {
  functionName: 'test',
  awsRequestId: 'test-request',
  getRemainingTimeInMillis: () => 60_000,
} as Context;
