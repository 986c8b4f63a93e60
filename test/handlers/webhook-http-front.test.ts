/** The local HTTP front: requests in, API Gateway HTTP API v2 events to the routed handler, results out. */
import { createHmac } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImagePushed } from '../../functions/core/model.ts';
import { createWebhookHandler } from '../../functions/handlers/webhook.ts';
import { type HttpFront, startHttpFront } from '../../local/http-front.ts';
import { RecordingQueue } from '../support/registry.ts';
import { fixture, MemoryLedger, secrets, testConfig } from './webhook-support.ts';

let front: HttpFront;
const seen: APIGatewayProxyEventV2[] = [];
const queue = new RecordingQueue<ImagePushed>();

beforeAll(async () => {
  const webhook = createWebhookHandler({
    log: () => undefined,
    config: testConfig,
    imageQueue: queue,
    deliveries: new MemoryLedger(),
  });
  front = await startHttpFront({
    maxBodyBytes: 1024 * 1024,
    routes: [
      { routeKey: 'POST /hooks/{provider}', handler: webhook },
      { routeKey: 'POST /hooks/{provider}/{token}', handler: webhook },
      {
        routeKey: 'ANY /echo/{proxy+}',
        handler: (event) => {
          seen.push(event);
          return { statusCode: 201, headers: { 'X-Route': event.routeKey }, cookies: ['a=1'], body: 'made' };
        },
      },
      { routeKey: 'GET /echo/fixed', handler: () => ({ fixed: true }) },
      {
        routeKey: 'GET /boom',
        handler: () => {
          throw new Error('handler failure (expected in this test)');
        },
      },
    ],
  });
});
afterAll(async () => {
  await front.close();
});

describe('local HTTP front', () => {
  it('delivers a signed GitHub webhook through the real handler', async () => {
    const body = fixture('github/package-published-tagged.json');
    const res = await fetch(`${front.url}/hooks/github`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'package',
        'x-github-delivery': 'front-1',
        'x-hub-signature-256': `sha256=${createHmac('sha256', secrets.github).update(body).digest('hex')}`,
      },
      body,
    });
    expect(res.status).toBe(202);
    expect(queue.bodies.map((p) => p.tag)).toEqual(['v4.16.7']);
  });

  it('passes a URL token as a path parameter', async () => {
    const res = await fetch(`${front.url}/hooks/dockerhub/${secrets.dockerhub}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: fixture('dockerhub/push.json'),
    });
    expect(res.status).toBe(202);
    expect(queue.bodies.at(-1)?.repository).toBe('acmeos/node-image');
  });

  it('builds the v2 event: route key, parameters, query, headers, cookies, base64 for binary bodies', async () => {
    const res = await fetch(`${front.url}/echo/a/b%20c?x=1&x=2&y=3`, {
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream', cookie: 'k=v; m=n', 'X-Custom': 'Yes' },
      body: Buffer.from([0, 255, 1]),
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('x-route')).toBe('ANY /echo/{proxy+}');
    expect(res.headers.get('set-cookie')).toBe('a=1');
    expect(await res.text()).toBe('made');
    const event = seen.at(-1)!;
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'ANY /echo/{proxy+}',
      rawPath: '/echo/a/b%20c',
      rawQueryString: 'x=1&x=2&y=3',
      queryStringParameters: { x: '1,2', y: '3' },
      pathParameters: { proxy: 'a/b c' },
      cookies: ['k=v', 'm=n'],
      isBase64Encoded: true,
      body: Buffer.from([0, 255, 1]).toString('base64'),
    });
    expect(event.headers['x-custom']).toBe('Yes');
    expect(event.requestContext.http.method).toBe('PUT');
  });

  it('prefers literal routes, serialises plain results as JSON, turns a throw into 500 and unknown paths into 404', async () => {
    const fixed = await fetch(`${front.url}/echo/fixed`);
    expect(await fixed.json()).toEqual({ fixed: true });
    expect((await fetch(`${front.url}/boom`)).status).toBe(500);
    expect((await fetch(`${front.url}/nowhere`)).status).toBe(404);
    expect((await fetch(`${front.url}/hooks/github`)).status).toBe(404);
  });

  it('answers 413 for a body over its limit without passing it on', async () => {
    const before = seen.length;
    const res = await fetch(`${front.url}/echo/big`, { method: 'POST', body: Buffer.alloc(2 * 1024 * 1024) });
    expect(res.status).toBe(413);
    expect(seen.length).toBe(before);
  });
});
