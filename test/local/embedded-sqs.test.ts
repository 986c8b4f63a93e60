/**
 * The embedded SQS server on its own: with a data directory, what SQS acknowledged survives the process
 * (ready, delayed and in-flight messages, receive counts; deleted ones stay deleted), and only requests
 * naming its own address are served.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import { type EmbeddedSqs, startEmbeddedSqs } from '../../local/embedded-sqs.ts';
import { queueCounts } from './helpers.ts';

const servers: EmbeddedSqs[] = [];
const clients: SQSClient[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  await Promise.all(servers.splice(0).map((s) => s.stop()));
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function start(dataDir?: string, visibilityTimeoutSeconds = 60) {
  const server = await startEmbeddedSqs(dataDir ? { dataDir } : {});
  servers.push(server);
  const client = new SQSClient(server.clientConfig);
  clients.push(client);
  const { work } = await server.createQueues({
    work: { name: 'work', visibilityTimeoutSeconds, maxReceiveCount: 5 },
  });
  return { server, client, url: work.url };
}

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'strata-sqs-'));
  dirs.push(dir);
  return dir;
}

async function receive(client: SQSClient, url: string) {
  const out = await client.send(
    new ReceiveMessageCommand({
      QueueUrl: url,
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: 0,
      MessageSystemAttributeNames: ['ApproximateReceiveCount'],
    }),
  );
  return out.Messages ?? [];
}

describe('embedded SQS', () => {
  it('keeps acknowledged messages across a restart with a data directory; in-flight ones come back at once', async () => {
    // Prepare: one message received (in flight for 60 s), one received and deleted, one waiting, one delayed.
    const dataDir = await tempDir();
    const first = await start(dataDir);
    for (const body of ['taken', 'done'])
      await first.client.send(new SendMessageCommand({ QueueUrl: first.url, MessageBody: body }));
    const taken = await receive(first.client, first.url);
    expect(taken.map((m) => m.Body).sort()).toEqual(['done', 'taken']);
    const done = taken.find((m) => m.Body === 'done')!;
    await first.client.send(
      new DeleteMessageCommand({ QueueUrl: first.url, ReceiptHandle: done.ReceiptHandle }),
    );
    await first.client.send(new SendMessageCommand({ QueueUrl: first.url, MessageBody: 'waiting' }));
    await first.client.send(
      new SendMessageCommand({ QueueUrl: first.url, MessageBody: 'later', DelaySeconds: 600 }),
    );
    expect(await queueCounts(first.client, first.url)).toEqual({ visible: 1, inFlight: 1, delayed: 1 });

    // Act: stop, start again on the same directory.
    await first.server.stop();
    servers.splice(servers.indexOf(first.server), 1);
    const second = await start(dataDir);

    // Assess: the in-flight message is visible again (its consumer is gone) with its receive count kept.
    expect(second.server.released).toBe(1);
    expect(await queueCounts(second.client, second.url)).toEqual({ visible: 2, inFlight: 0, delayed: 1 });
    const again = await receive(second.client, second.url);
    expect(again.map((m) => m.Body).sort()).toEqual(['taken', 'waiting']);
    expect(again.find((m) => m.Body === 'taken')?.Attributes?.ApproximateReceiveCount).toBe('2');
    expect(again.find((m) => m.Body === 'waiting')?.Attributes?.ApproximateReceiveCount).toBe('1');
  });

  it('has every acknowledged send on disk before it answers (a server on the same files sees it, no stop)', async () => {
    const dataDir = await tempDir();
    const first = await start(dataDir);
    await first.client.send(new SendMessageCommand({ QueueUrl: first.url, MessageBody: 'acknowledged' }));
    // The first server is not stopped (as if the process had been killed): nothing is flushed on the way out.
    const second = await start(dataDir);
    expect((await receive(second.client, second.url)).map((m) => m.Body)).toEqual(['acknowledged']);
  });

  it('keeps nothing without a data directory', async () => {
    const first = await start();
    await first.client.send(new SendMessageCommand({ QueueUrl: first.url, MessageBody: 'gone' }));
    const second = await start();
    expect(await queueCounts(second.client, second.url)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
  });

  it('gives a kept queue the settings of its new definition', async () => {
    const dataDir = await tempDir();
    const first = await start(dataDir, 60);
    await first.client.send(new SendMessageCommand({ QueueUrl: first.url, MessageBody: 'kept' }));
    await first.server.stop();
    servers.splice(servers.indexOf(first.server), 1);
    const second = await start(dataDir, 30);
    const attributes = await second.client.send(
      new GetQueueAttributesCommand({ QueueUrl: second.url, AttributeNames: ['VisibilityTimeout'] }),
    );
    expect(attributes.Attributes?.VisibilityTimeout).toBe('30');
    expect((await receive(second.client, second.url)).map((m) => m.Body)).toEqual(['kept']);
  });

  it('serves only requests that name its own address in Host (no DNS rebinding to the queues)', async () => {
    const { server, url } = await start();
    const { port } = new URL(server.endpoint);
    const status = (host: string) =>
      new Promise<number>((resolve, reject) => {
        const body = JSON.stringify({ QueueUrl: url, MessageBody: 'from a web page' });
        const req = request(
          {
            host: '127.0.0.1',
            port,
            method: 'POST',
            path: '/',
            headers: {
              host,
              'content-type': 'application/x-amz-json-1.0',
              'x-amz-target': 'AmazonSQS.SendMessage',
            },
          },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on('error', reject);
        req.end(body);
      });
    expect(await status(`evil.example:${port}`)).toBe(421);
    expect(await status(`localhost:${port}`)).toBe(421);
    expect(await status(`127.0.0.1:${port}`)).toBe(200);
  });
});
