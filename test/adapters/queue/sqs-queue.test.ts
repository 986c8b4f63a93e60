import { GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  InvalidSendOptionsError,
  QueueBatchSendError,
  SqsMessageQueue,
  sqsDelaySeconds,
} from '../../../functions/adapters/queue/index.ts';
import { MAX_DELAY_SECONDS } from '../../../functions/core/ports.ts';
import { type EmbeddedSqs, startEmbeddedSqs } from '../../../local/embedded-sqs.ts';

let server: EmbeddedSqs;
let client: SQSClient;
let queueUrl: string;

beforeAll(async () => {
  server = await startEmbeddedSqs();
  client = new SQSClient(server.clientConfig);
  const { q } = await server.createQueues({
    q: { name: 'adapter', visibilityTimeoutSeconds: 30, maxReceiveCount: 5 },
  });
  queueUrl = q.url;
});
afterAll(async () => {
  client.destroy();
  await server.stop();
});

/** Receives until the queue has nothing visible; the first receive may long-poll for `wait` seconds. */
async function drain(wait = 0): Promise<string[]> {
  const bodies: string[] = [];
  for (let first = true; ; first = false) {
    const out = await client.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: first ? wait : 0,
      }),
    );
    if (!out.Messages?.length) return bodies;
    bodies.push(...out.Messages.map((m) => m.Body ?? ''));
  }
}

async function counts(): Promise<{ visible: number; delayed: number }> {
  const out = await client.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesDelayed'],
    }),
  );
  return {
    visible: Number(out.Attributes?.ApproximateNumberOfMessages),
    delayed: Number(out.Attributes?.ApproximateNumberOfMessagesDelayed),
  };
}

describe('sqsDelaySeconds', () => {
  it('rounds up to whole seconds and clamps to 0..MAX_DELAY_SECONDS', () => {
    expect(sqsDelaySeconds(undefined)).toBeUndefined();
    expect(sqsDelaySeconds(0)).toBe(0);
    expect(sqsDelaySeconds(0.2)).toBe(1);
    expect(sqsDelaySeconds(-3)).toBe(0);
    expect(sqsDelaySeconds(3600)).toBe(MAX_DELAY_SECONDS);
  });

  it('rejects a delay that is not a finite number', () => {
    expect(() => sqsDelaySeconds(Number.NaN)).toThrow(InvalidSendOptionsError);
    expect(() => sqsDelaySeconds(Number.POSITIVE_INFINITY)).toThrow(/finite number of seconds, got Infinity/);
  });
});

describe('SqsMessageQueue', () => {
  it('sends the body as JSON', async () => {
    const queue = new SqsMessageQueue<{ rolloutId: string }>({ client, queueUrl });
    await queue.send({ rolloutId: 'r-1' });
    expect((await drain()).map((b) => JSON.parse(b))).toEqual([{ rolloutId: 'r-1' }]);
  });

  it('holds a delayed message back, and clamps a delay beyond the SQS limit instead of failing', async () => {
    const queue = new SqsMessageQueue<string>({ client, queueUrl });
    await queue.send('later', { delaySeconds: 1 });
    await queue.send('much later', { delaySeconds: 7200 });
    expect(await drain()).toEqual([]);
    expect(await counts()).toEqual({ visible: 0, delayed: 2 });
    expect(await drain(3)).toEqual(['"later"']);
    expect(await counts()).toEqual({ visible: 0, delayed: 1 });
  });

  it("applies the queue's default delay unless the message sets its own", async () => {
    const { slow } = await server.createQueues({
      slow: { name: 'adapter-slow', visibilityTimeoutSeconds: 30, maxReceiveCount: 5, delaySeconds: 1 },
    });
    const queue = new SqsMessageQueue<string>({ client, queueUrl: slow.url });
    await queue.send('default delay');
    await queue.send('no delay', { delaySeconds: 0 });
    const receive = (wait: number) =>
      client
        .send(
          new ReceiveMessageCommand({ QueueUrl: slow.url, MaxNumberOfMessages: 10, WaitTimeSeconds: wait }),
        )
        .then((out) => (out.Messages ?? []).map((m) => m.Body));
    expect(await receive(0)).toEqual(['"no delay"']);
    expect(await receive(3)).toEqual(['"default delay"']);
  });

  it('sends nothing when the options are invalid', async () => {
    const queue = new SqsMessageQueue<string>({ client, queueUrl });
    const before = await counts();
    await expect(queue.send('x', { delaySeconds: Number.NaN })).rejects.toThrow(InvalidSendOptionsError);
    await expect(queue.sendBatch(['x', 'y'], { delaySeconds: Number.NaN })).rejects.toThrow(
      InvalidSendOptionsError,
    );
    expect(await counts()).toEqual(before);
  });

  it('sends a batch of any length, ten per call', async () => {
    const queue = new SqsMessageQueue<{ n: number }>({ client, queueUrl });
    const bodies = Array.from({ length: 23 }, (_, n) => ({ n }));
    await queue.sendBatch(bodies);
    const received = (await drain()).map((b) => (JSON.parse(b) as { n: number }).n).sort((a, b) => a - b);
    expect(received).toEqual(bodies.map((b) => b.n));
  });

  it('reports the entries SQS refused and still sends the others', async () => {
    const queue = new SqsMessageQueue<string>({ client, queueUrl });
    const bodies = Array.from({ length: 12 }, (_, n) =>
      n === 11 ? 'not allowed in SQS: \uffff' : `ok ${n}`,
    );
    const error = await queue.sendBatch(bodies).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueueBatchSendError);
    expect((error as QueueBatchSendError).failed.map((f) => f.index)).toEqual([11]);
    expect((await drain()).length).toBe(11);
  });
});
