/**
 * Publishing BaseImageUpdated: through the real EventBridge SDK client against a loopback endpoint that
 * speaks EventBridge's JSON protocol (what PutEvents sends, and per-entry failures), and through the
 * outgoing webhook (body, HMAC signature, non-2xx as a failure).
 */
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  EventBridgePublisher,
  EventPublishError,
  webhookPublisher,
} from '../../functions/adapters/events/index.ts';
import type { BaseImageUpdated } from '../../functions/core/checks/index.ts';

const event: BaseImageUpdated = {
  id: 'base-updated-prod-0123456789abcdef',
  track: 'prod',
  image: 'quay.io/acme/os:prod',
  imageDigest: `sha256:${'1'.repeat(64)}`,
  base: 'quay.io/fedora/fedora-coreos:stable',
  builtOnDigest: `sha256:${'a'.repeat(64)}`,
  baseDigest: `sha256:${'b'.repeat(64)}`,
  behind: 1,
  staleSince: '2026-11-21T10:00:00.000Z',
  detectedAt: '2026-11-21T10:00:00.000Z',
};

let server: Server;
let endpoint: string;
const received: { target: string | undefined; headers: Record<string, unknown>; body: string }[] = [];
let answer: { status: number; body: unknown } = { status: 200, body: {} };

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({
        target: req.headers['x-amz-target'] as string | undefined,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      res
        .writeHead(answer.status, { 'content-type': 'application/x-amz-json-1.1' })
        .end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  received.length = 0;
});

const client = () =>
  new EventBridgeClient({
    endpoint,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });

describe('EventBridge publisher', () => {
  it('puts one entry on the default bus with the event as detail', async () => {
    answer = { status: 200, body: { FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] } };
    await new EventBridgePublisher({ client: client() }).publish(event);
    expect(received).toHaveLength(1);
    expect(received[0]!.target).toBe('AWSEvents.PutEvents');
    const sent = JSON.parse(received[0]!.body) as { Entries: Record<string, unknown>[] };
    expect(sent.Entries).toHaveLength(1);
    expect(sent.Entries[0]).toMatchObject({
      EventBusName: 'default',
      Source: 'strata.update-check',
      DetailType: 'BaseImageUpdated',
    });
    expect(JSON.parse(sent.Entries[0]!.Detail as string)).toEqual(event);
  });

  it('fails on a refused entry, naming the event and the error code', async () => {
    answer = {
      status: 200,
      body: { FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }] },
    };
    await expect(new EventBridgePublisher({ client: client() }).publish(event)).rejects.toThrow(
      new EventPublishError(event.id, 'PutEvents refused it: InternalFailure try again'),
    );
  });
});

describe('webhook publisher', () => {
  it('POSTs the EventBridge-shaped envelope, signed with the secret', async () => {
    answer = { status: 204, body: '' };
    await webhookPublisher({ url: `${endpoint}/hook`, secret: 's3cret' }).publish(event);
    const { body, headers } = received[0]!;
    expect(JSON.parse(body)).toEqual({
      id: event.id,
      source: 'strata.update-check',
      'detail-type': 'BaseImageUpdated',
      time: event.detectedAt,
      detail: event,
    });
    expect(headers['x-strata-signature-256']).toBe(
      `sha256=${createHmac('sha256', 's3cret').update(body).digest('hex')}`,
    );
  });

  it('fails on a non-2xx answer and on an unreachable URL', async () => {
    answer = { status: 500, body: {} };
    await expect(webhookPublisher({ url: `${endpoint}/hook` }).publish(event)).rejects.toThrow(
      `event ${event.id}: POST ${endpoint}/hook: HTTP 500`,
    );
    await expect(webhookPublisher({ url: 'http://127.0.0.1:1/hook' }).publish(event)).rejects.toThrow(
      EventPublishError,
    );
  });
});
