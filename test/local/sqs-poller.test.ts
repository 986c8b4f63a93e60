import { SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SqsMessageQueue } from '../../functions/adapters/queue/index.ts';
import { type CreatedQueue, type EmbeddedSqs, startEmbeddedSqs } from '../../local/embedded-sqs.ts';
import { RuntimeConfigError } from '../../local/errors.ts';
import {
  failedItems,
  type PollerFailure,
  type SqsBatchHandler,
  type SqsPoller,
  startSqsPoller,
} from '../../local/sqs-poller.ts';
import { eventually, gate, queueCounts, receiveAll } from './helpers.ts';

let server: EmbeddedSqs;
let client: SQSClient;
let pollers: SqsPoller[] = [];
let queueNumber = 0;

beforeAll(async () => {
  server = await startEmbeddedSqs();
  client = new SQSClient(server.clientConfig);
});
afterEach(async () => {
  await Promise.all(pollers.map((p) => p.stop()));
  pollers = [];
});
afterAll(async () => {
  client.destroy();
  await server.stop();
});

/** A fresh queue (short visibility timeout) and a JSON adapter on it. */
async function freshQueue(maxReceiveCount = 5, visibilityTimeoutSeconds = 1) {
  queueNumber += 1;
  const { q } = await server.createQueues({
    q: { name: `poller-${queueNumber}`, visibilityTimeoutSeconds, maxReceiveCount },
  });
  return { queue: q, adapter: new SqsMessageQueue<{ n: number }>({ client, queueUrl: q.url }) };
}

function poll(
  queue: CreatedQueue,
  handler: SqsBatchHandler,
  extra: { batchSize?: number; maxConcurrency?: number } = {},
) {
  const failures: PollerFailure[] = [];
  const poller = startSqsPoller({
    client,
    queueUrl: queue.url,
    queueArn: queue.arn,
    handler,
    functionName: 'test-consumer',
    waitTimeSeconds: 1,
    onFailure: (f) => failures.push(f),
    ...extra,
  });
  pollers.push(poller);
  return { poller, failures };
}

const n = (record: SQSRecord) => (JSON.parse(record.body) as { n: number }).n;

describe('SQS poller', () => {
  it('hands a message sent through the adapter to the handler as an SQSEvent, then deletes it', async () => {
    const { queue, adapter } = await freshQueue();
    const events: SQSEvent[] = [];
    poll(queue, async (event) => {
      events.push(event);
    });

    await adapter.send({ n: 1 });

    const event = await eventually('the event', () => events[0]);
    expect(event.Records).toHaveLength(1);
    const record = event.Records[0]!;
    expect(JSON.parse(record.body)).toEqual({ n: 1 });
    expect(record).toMatchObject({
      eventSource: 'aws:sqs',
      eventSourceARN: `arn:aws:sqs:us-east-1:000000000000:${queue.name}`,
      awsRegion: 'us-east-1',
      attributes: { ApproximateReceiveCount: '1' },
    });
    expect(record.messageId).toMatch(/\S/);
    expect(record.receiptHandle).toMatch(/\S/);
    expect(Number(record.attributes.SentTimestamp)).toBeGreaterThan(0);
    expect(record.md5OfBody).toMatch(/^[0-9a-f]{32}$/);
    await eventually('the message to be deleted', async () => {
      const c = await queueCounts(client, queue.url);
      return c.visible + c.inFlight === 0;
    });
  });

  it('redelivers only the items a partial batch response lists, after the visibility timeout', async () => {
    const { queue, adapter } = await freshQueue();
    await adapter.sendBatch([{ n: 1 }, { n: 2 }, { n: 3 }]);
    const seen: { n: number; receiveCount: string }[] = [];
    let batches = 0;
    poll(queue, async (event): Promise<SQSBatchResponse> => {
      batches += 1;
      for (const r of event.Records)
        seen.push({ n: n(r), receiveCount: r.attributes.ApproximateReceiveCount });
      const failing = event.Records.filter((r) => n(r) === 2 && r.attributes.ApproximateReceiveCount === '1');
      return { batchItemFailures: failing.map((r) => ({ itemIdentifier: r.messageId })) };
    });

    await eventually('message 2 to come back', () => seen.some((s) => s.n === 2 && s.receiveCount === '2'));
    await eventually('the queue to empty', async () => {
      const c = await queueCounts(client, queue.url);
      return c.visible + c.inFlight === 0;
    });
    expect(batches).toBeGreaterThanOrEqual(2);
    expect(seen.filter((s) => s.n === 1)).toEqual([{ n: 1, receiveCount: '1' }]);
    expect(seen.filter((s) => s.n === 3)).toEqual([{ n: 3, receiveCount: '1' }]);
    expect(seen.filter((s) => s.n === 2).map((s) => s.receiveCount)).toEqual(['1', '2']);
  });

  it('fails the whole batch when the handler throws, and reports it', async () => {
    const { queue, adapter } = await freshQueue();
    await adapter.sendBatch([{ n: 1 }, { n: 2 }]);
    const seen: string[] = [];
    const { failures } = poll(queue, async (event) => {
      for (const r of event.Records) seen.push(`${n(r)}@${r.attributes.ApproximateReceiveCount}`);
      if (event.Records.some((r) => r.attributes.ApproximateReceiveCount === '1')) throw new Error('boom');
    });

    await eventually('both messages twice', () => seen.length >= 4);
    expect(seen.sort()).toEqual(['1@1', '1@2', '2@1', '2@2']);
    expect(failures[0]).toMatchObject({ functionName: 'test-consumer', queueArn: queue.arn });
    expect(failures[0]?.error).toEqual(new Error('boom'));
    expect(failures[0]?.messageIds).toHaveLength(2);
  });

  it('moves a message that keeps failing to the dead-letter queue after maxReceiveCount receives', async () => {
    const { queue, adapter } = await freshQueue(2);
    const attempts: string[] = [];
    poll(queue, async (event) => {
      for (const r of event.Records) attempts.push(r.attributes.ApproximateReceiveCount);
      throw new Error('always failing');
    });

    await adapter.send({ n: 7 });

    const dead = await eventually('the message in the DLQ', async () => {
      const bodies = await receiveAll(client, queue.deadLetters.url);
      return bodies.length > 0 ? bodies : undefined;
    });
    expect(dead.map((b) => JSON.parse(b))).toEqual([{ n: 7 }]);
    expect(attempts).toEqual(['1', '2']);
    const c = await queueCounts(client, queue.url);
    expect(c.visible + c.inFlight + c.delayed).toBe(0);
  });

  it('gathers a batch for up to the batching window', async () => {
    const { queue, adapter } = await freshQueue(5, 30);
    const batches: number[][] = [];
    const poller = startSqsPoller({
      client,
      queueUrl: queue.url,
      queueArn: queue.arn,
      functionName: 'windowed',
      waitTimeSeconds: 1,
      batchSize: 5,
      maxBatchingWindowSeconds: 1,
      maxConcurrency: 1,
      handler: async (event) => {
        batches.push(event.Records.map(n).sort());
      },
    });
    pollers.push(poller);

    await adapter.send({ n: 1 });
    await new Promise((r) => setTimeout(r, 200));
    await adapter.sendBatch([{ n: 2 }, { n: 3 }]);

    await eventually('the batch', () => batches.length > 0);
    expect(batches).toEqual([[1, 2, 3]]);
  });

  it('does not deliver a delayed message before its delay', async () => {
    const { queue, adapter } = await freshQueue();
    const arrivals: { n: number; at: number }[] = [];
    poll(queue, async (event) => {
      for (const r of event.Records) arrivals.push({ n: n(r), at: Date.now() });
    });

    const sentAt = Date.now();
    await adapter.send({ n: 1 }, { delaySeconds: 1 });
    await adapter.send({ n: 2 });

    await eventually('both messages', () => arrivals.length === 2);
    expect(arrivals.map((a) => a.n)).toEqual([2, 1]);
    expect(arrivals[1]!.at - sentAt).toBeGreaterThanOrEqual(1000);
  });

  it('runs at most maxConcurrency invocations at once', async () => {
    const { queue, adapter } = await freshQueue(5, 30);
    await adapter.sendBatch(Array.from({ length: 12 }, (_, i) => ({ n: i })));
    let inFlight = 0;
    let maxInFlight = 0;
    let handled = 0;
    const release = gate();
    poll(
      queue,
      async (event) => {
        inFlight += 1;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await release.promise;
        handled += event.Records.length;
        inFlight -= 1;
      },
      { batchSize: 1, maxConcurrency: 3 },
    );

    // All three slots fill; nine more messages are ready, so a fourth invocation would start now if allowed.
    await eventually('three invocations in flight', () => inFlight === 3);
    await new Promise((r) => setTimeout(r, 300));
    expect(inFlight).toBe(3);
    release.open();
    await eventually('all twelve handled', () => handled === 12);
    expect(maxInFlight).toBe(3);
  });

  it('stops gracefully: the batch in flight finishes and is deleted, and the handler is not invoked again', async () => {
    const { queue, adapter } = await freshQueue(5, 30);
    const started = gate();
    const release = gate();
    let finished = false;
    let invocations = 0;
    const { poller } = poll(queue, async () => {
      invocations += 1;
      started.open();
      await release.promise;
      finished = true;
    });
    await adapter.send({ n: 1 });
    await started.promise;

    const stopping = poller.stop();
    setTimeout(release.open, 100);
    await stopping;

    expect(finished).toBe(true);
    expect(await queueCounts(client, queue.url)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
    await adapter.send({ n: 2 });
    await new Promise((r) => setTimeout(r, 300));
    expect(invocations).toBe(1);
  });

  it('rejects unusable settings with the field and the reason', () => {
    const base = {
      client,
      queueUrl: 'http://x/q',
      queueArn: 'arn:aws:sqs:us-east-1:0:q',
      handler: () => undefined,
    };
    expect(() => startSqsPoller({ ...base, functionName: 'f', maxConcurrency: 0 })).toThrow(
      RuntimeConfigError,
    );
    expect(() => startSqsPoller({ ...base, functionName: 'f', batchSize: 50 })).toThrow(
      /poller for f: batchSize above 10 needs maxBatchingWindowSeconds/,
    );
    expect(() => startSqsPoller({ ...base, functionName: 'f', waitTimeSeconds: 30 })).toThrow(
      /waitTimeSeconds/,
    );
  });
});

describe('failedItems (reading an SQSBatchResponse as Lambda does)', () => {
  const records = [{ messageId: 'a' }, { messageId: 'b' }] as SQSRecord[];
  it('treats no response or an empty list as complete success', () => {
    expect(failedItems(undefined, records)).toEqual(new Set());
    expect(failedItems({ batchItemFailures: [] }, records)).toEqual(new Set());
  });
  it('returns the listed items', () => {
    expect(failedItems({ batchItemFailures: [{ itemIdentifier: 'b' }] }, records)).toEqual(new Set(['b']));
  });
  it('fails the whole batch on an identifier that is empty or not in the batch, or a malformed response', () => {
    const all = new Set(['a', 'b']);
    expect(failedItems({ batchItemFailures: [{ itemIdentifier: '' }] }, records)).toEqual(all);
    expect(failedItems({ batchItemFailures: [{ itemIdentifier: 'zzz' }] }, records)).toEqual(all);
    expect(failedItems({ batchItemFailures: 'b' }, records)).toEqual(all);
    expect(failedItems('ok', records)).toEqual(all);
  });
});
