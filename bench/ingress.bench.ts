/**
 * Ingress throughput: registry deliveries through the webhook handler (size, content type, auth, schema,
 * normalisation, noise filter, replay ledger, enqueue into an in-process queue), directly and over local
 * HTTP via the HTTP front. Baselines in the same run: JSON.parse of the same bodies, and a bare node:http
 * echo server under the same loopback load.
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { parseWebhookConfig } from '../functions/core/ingress/config.ts';
import type { ImagePushed } from '../functions/core/model.ts';
import type { MessageQueue } from '../functions/core/ports.ts';
import type { DeliveryClaims } from '../functions/core/stores.ts';
import { createWebhookHandler } from '../functions/handlers/webhook.ts';
import { startHttpFront } from '../local/http-front.ts';
import { type Figure, quantile, recordResults } from './support/results.ts';

const SECRET = 'bench-secret';
const DURATION_MS = 2_000;
const HTTP_CONCURRENCY = 16;

/** Counts what it is sent (a real queue would serialise; so does this). */
class CountingQueue implements MessageQueue<ImagePushed> {
  count = 0;
  bytes = 0;
  async send(body: ImagePushed): Promise<void> {
    this.bytes += JSON.stringify(body).length;
    this.count++;
  }
}

/** The replay ledger in memory (the table's is measured by the store, not here). */
class MemoryLedger implements DeliveryClaims {
  private readonly ids = new Set<string>();
  async claim(source: string, id: string): Promise<boolean> {
    const key = `${source}#${id}`;
    if (this.ids.has(key)) return false;
    this.ids.add(key);
    return true;
  }
  async release(source: string, id: string): Promise<void> {
    this.ids.delete(`${source}#${id}`);
  }
}

const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`../test/fixtures/registries/${name}`, import.meta.url), 'utf8'));

interface Delivery {
  provider: string;
  body: string;
  headers: Record<string, string>;
}

/** A realistic mix: GitHub (HMAC), distribution envelopes (blob + manifest + pull), Harbor, ACR, ECR. */
function deliveries(count: number, offset: number): Delivery[] {
  const out: Delivery[] = [];
  const templates = [
    { provider: 'github', file: 'github/package-published-tagged.json' },
    { provider: 'distribution', file: 'distribution/push-tagged.json' },
    { provider: 'harbor', file: 'harbor/push-cloudevents.json' },
    { provider: 'acr', file: 'acr/push.json' },
    { provider: 'ecr', file: 'ecr/push.json' },
  ].map((t) => ({ ...t, json: fixture(t.file) }));
  for (let i = 0; i < count; i++) {
    const t = templates[i % templates.length]!;
    const id = `bench-${offset + i}`;
    const json = structuredClone(t.json);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (t.provider === 'distribution') {
      for (const e of json.events) e.id = `${id}-${e.id}`;
      headers['content-type'] = 'application/vnd.docker.distribution.events.v2+json';
    } else if (t.provider === 'github') {
      headers['x-github-event'] = 'package';
      headers['x-github-delivery'] = id;
    } else {
      json.id = id;
    }
    if (t.provider === 'harbor') headers['content-type'] = 'application/cloudevents+json';
    const body = JSON.stringify(json);
    if (t.provider === 'github') {
      headers['x-hub-signature-256'] = `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`;
    } else {
      headers.authorization = `Bearer ${SECRET}`;
    }
    out.push({ provider: t.provider, body, headers });
  }
  return out;
}

const config = parseWebhookConfig(
  {
    providers: {
      github: { auth: [{ kind: 'hmac-sha256', secret: SECRET }] },
      ...Object.fromEntries(
        ['distribution', 'harbor', 'acr', 'ecr'].map((p) => [
          p,
          { auth: [{ kind: 'header', header: 'authorization', value: `Bearer ${SECRET}` }] },
        ]),
      ),
    },
  },
  'bench',
);

function event(d: Delivery): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: 'POST /hooks/{provider}',
    rawPath: `/hooks/${d.provider}`,
    rawQueryString: '',
    headers: d.headers,
    pathParameters: { provider: d.provider },
    requestContext: { http: { method: 'POST' } } as APIGatewayProxyEventV2['requestContext'],
    body: d.body,
    isBase64Encoded: false,
  };
}

/** Runs `step` for DURATION_MS after a warm-up; returns operations per second. */
async function throughput(step: (i: number) => Promise<unknown> | unknown): Promise<number> {
  // Indexes keep counting after the warm-up so that no delivery is sent twice (it would be a replay).
  let i = 0;
  while (i < 2_000) await step(i++);
  const start = performance.now();
  const first = i;
  while (performance.now() - start < DURATION_MS) {
    for (let k = 0; k < 100; k++) await step(i++);
  }
  return (i - first) / ((performance.now() - start) / 1000);
}

async function handlerFigures(): Promise<Figure[]> {
  const pool = deliveries(200_000, 0);
  const queue = new CountingQueue();
  const handle = createWebhookHandler({
    log: () => undefined,
    config,
    imageQueue: queue,
    deliveries: new MemoryLedger(),
  });
  const events = pool.map(event);
  const baseline = await throughput((i) => JSON.parse(pool[i % pool.length]!.body));
  let refused = 0;
  const rate = await throughput(async (i) => {
    const result = await handle(events[i % events.length]!);
    if (result.statusCode !== 202) refused++;
  });
  if (refused > 0)
    throw new Error(`${refused} deliveries were refused: the bench must measure accepted ones`);
  return [
    {
      name: 'webhook handler, deliveries/s (mixed GitHub/distribution/Harbor/ACR/ECR)',
      value: Math.round(rate),
      unit: '/s',
      target: '≥ 5,000/s',
      note: `validate + auth + normalise + noise + replay + enqueue; ${queue.count} pushes enqueued`,
    },
    {
      name: 'baseline: JSON.parse of the same bodies',
      value: Math.round(baseline),
      unit: '/s',
      note: `handler costs ${(baseline / rate).toFixed(1)}× a bare JSON.parse`,
    },
  ];
}

/** Sends `total` POSTs with HTTP_CONCURRENCY in flight over keep-alive; returns rate and latencies. */
async function load(url: string, bodies: Delivery[], total: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: HTTP_CONCURRENCY });
  const latencies: number[] = [];
  let next = 0;
  let failures = 0;
  const one = (d: Delivery) =>
    new Promise<void>((resolve, reject) => {
      const started = performance.now();
      const req = request(
        `${url}/hooks/${d.provider}`,
        { method: 'POST', agent, headers: d.headers },
        (res) => {
          res.resume();
          res.on('end', () => {
            if (res.statusCode !== 202 && res.statusCode !== 200) failures++;
            latencies.push(performance.now() - started);
            resolve();
          });
        },
      );
      req.on('error', reject);
      req.end(d.body);
    });
  const start = performance.now();
  await Promise.all(
    Array.from({ length: HTTP_CONCURRENCY }, async () => {
      while (next < total) await one(bodies[next++ % bodies.length]!);
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  agent.destroy();
  return { rate: total / seconds, latencies, failures };
}

/** Serves the echo server or the HTTP front in a worker thread (so the load generator has its own core). */
async function serveInWorker(mode: 'echo' | 'front'): Promise<{ url: string; stop: () => Promise<number> }> {
  const worker = new Worker(new URL(import.meta.url), { workerData: { mode } });
  const port = await new Promise<number>((resolve, reject) => {
    worker.once('message', (m: { port: number }) => resolve(m.port));
    worker.once('error', reject);
  });
  return { url: `http://127.0.0.1:${port}`, stop: () => worker.terminate() };
}

/** Worker side: the server under test. */
async function serve(mode: 'echo' | 'front'): Promise<void> {
  if (mode === 'echo') {
    const echo = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        res.writeHead(202, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ received: Buffer.concat(chunks).length }));
      });
    });
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', () => resolve()));
    parentPort?.postMessage({ port: (echo.address() as AddressInfo).port });
    return;
  }
  const handle = createWebhookHandler({
    log: () => undefined,
    config,
    imageQueue: new CountingQueue(),
    deliveries: new MemoryLedger(),
  });
  const front = await startHttpFront({ routes: [{ routeKey: 'POST /hooks/{provider}', handler: handle }] });
  parentPort?.postMessage({ port: front.port });
}

async function httpFigures(): Promise<Figure[]> {
  const total = 10_000;
  const warm = deliveries(1_000, 500_000);
  const pool = deliveries(total, 600_000);

  const echo = await serveInWorker('echo');
  await load(echo.url, warm, warm.length);
  const baseline = await load(echo.url, pool, total);
  await echo.stop();

  const front = await serveInWorker('front');
  await load(front.url, warm, warm.length);
  const measured = await load(front.url, pool, total);
  await front.stop();
  if (measured.failures > 0) throw new Error(`${measured.failures} HTTP deliveries failed`);
  return [
    {
      name: `HTTP front + webhook, deliveries/s (${HTTP_CONCURRENCY} in flight, keep-alive, loopback)`,
      value: Math.round(measured.rate),
      unit: '/s',
      target: '≥ 1,000/s',
      note: `${total} deliveries; server in a worker thread, client in the main thread; p50 ${quantile(measured.latencies, 0.5).toFixed(2)} ms, p99 ${quantile(measured.latencies, 0.99).toFixed(2)} ms`,
    },
    {
      name: 'baseline: bare node:http echo server, same load',
      value: Math.round(baseline.rate),
      unit: '/s',
      note: `front + webhook reach ${((measured.rate / baseline.rate) * 100).toFixed(0)}% of the echo server; echo p50 ${quantile(baseline.latencies, 0.5).toFixed(2)} ms`,
    },
  ];
}

if (isMainThread) {
  const figures = [...(await handlerFigures()), ...(await httpFigures())];
  recordResults(
    'ingress',
    'Registry webhook deliveries through the webhook handler, in process and over local HTTP (local/http-front.ts). Each delivery is authenticated (HMAC or header), schema-validated, normalised, noise-filtered, replay-checked (in-memory ledger) and enqueued into an in-process queue.',
    figures,
  );
} else {
  await serve((workerData as { mode: 'echo' | 'front' }).mode);
}
