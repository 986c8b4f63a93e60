/**
 * The embedded runtime's HTTP front under fuzzing, in this process: the admin API, the registry webhooks
 * and the dashboard, wired as `strata start` wires them (local/wiring.ts routes, the local access guard),
 * sent malformed request targets, encodings, request lines, headers, framing and bodies, plus seeded
 * mutations of well-formed requests, over raw sockets. Every malformed input is answered with a 4xx, none
 * with a 5xx, the front keeps serving, and nothing reaches a queue or the table. The queues have no
 * consumer here, so anything enqueued would stay visible; one authentic delivery at the end shows it would.
 */
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { staticCredentials } from '../../functions/adapters/registry/credentials.ts';
import { createTagResolver } from '../../functions/adapters/registry/index.ts';
import { prepareLocalAccess } from '../../local/local-access.ts';
import { type Runtime, startRuntime } from '../../local/runtime.ts';
import { localRoutes } from '../../local/wiring.ts';
import { WORK_QUEUE_NAMES } from '../../local/work-queues.ts';
import { fixture, secrets, testConfig } from '../handlers/webhook-support.ts';
import {
  exchange,
  type FuzzCase,
  type FuzzTarget,
  malformedCorpus,
  mutatedCorpus,
  request,
  runCorpus,
} from '../support/http-fuzz.ts';
import { queueCounts } from './helpers.ts';

let runtime: Runtime;
let target: FuzzTarget;
const warnings: string[] = [];

async function tableItems(): Promise<number> {
  const out = await runtime.context.doc.send(new ScanCommand({ TableName: runtime.context.tableName }));
  return out.Items?.length ?? 0;
}

async function enqueued(): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const name of WORK_QUEUE_NAMES) {
    const c = await queueCounts(runtime.context.sqs, runtime.context.queueAddresses[name].url);
    counts[name] = c.visible + c.inFlight + c.delayed;
  }
  return counts;
}

beforeAll(async () => {
  const access = prepareLocalAccess();
  const registryCredentials = staticCredentials({ registries: {} });
  runtime = await startRuntime({
    handlers: {},
    http: { host: access.host, guard: access.guard, maxBodyBytes: 256 * 1024 },
    routes: (ctx) =>
      localRoutes(ctx, {
        tokens: {},
        registryCredentials,
        resolver: createTagResolver(registryCredentials),
        declareDigest: () => undefined,
        webhooks: testConfig,
        onWarning: (line) => warnings.push(line),
      }),
  });
  const url = new URL(runtime.services.http!.url!);
  target = { host: url.hostname, port: Number(url.port) };
}, 60_000);

afterAll(async () => {
  await runtime?.stop();
});

/** Bodies a registry would never send, to each webhook (authenticated by URL token where that is enough). */
function bodyCases(): FuzzCase[] {
  const bodies: [string, string][] = [
    ['empty', ''],
    ['null', 'null'],
    ['array', '[]'],
    ['number', '42'],
    ['truncated JSON', '{"repository":'],
    ['deep nesting', `${'['.repeat(50_000)}${']'.repeat(50_000)}`],
    ['__proto__', '{"__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}}}'],
    ['wrong types', '{"repository":42,"docker_url":[],"updated_tags":{"a":1},"events":"x"}'],
    ['long strings', JSON.stringify({ repository: 'x'.repeat(100_000), updated_tags: ['y'.repeat(5000)] })],
    ['invalid UTF-8', '{"repository":"\xff\xfe"}'],
    ['over the body limit', `"${'z'.repeat(300 * 1024)}"`],
  ];
  const hooks = [
    `/hooks/quay/${secrets.quay}`,
    `/hooks/dockerhub/${secrets.dockerhub}`,
    `/hooks/gar/${secrets.gar}`,
    '/hooks/github',
    '/hooks/distribution',
    '/hooks/nosuchprovider',
    '/hooks/quay/wrong-token',
  ];
  return hooks.flatMap((path) =>
    bodies.map(([what, body]) => ({
      name: `${path} ${what}`,
      bytes: Buffer.from(request('POST', path, ['Content-Type: application/json'], body), 'latin1'),
      expect: '4xx' as const,
    })),
  );
}

describe('HTTP front under fuzzing (admin, webhooks, dashboard)', () => {
  it('answers every malformed request with a 4xx, never a 5xx, keeps serving, and enqueues nothing', async () => {
    // Prepare
    const itemsBefore = await tableItems();
    const corpus = [
      ...malformedCorpus([
        '/v1/',
        '/v1/rollouts',
        '/hooks/github',
        `/hooks/quay/${secrets.quay}`,
        '/assets/',
      ]),
      ...bodyCases(),
      {
        name: 'webhook with a 3 KB delivery id and no valid signature',
        bytes: request(
          'POST',
          '/hooks/github',
          [
            'Content-Type: application/json',
            `X-GitHub-Delivery: ${'d'.repeat(3000)}`,
            'X-Hub-Signature-256: sha256=00',
          ],
          '{}',
        ),
        expect: '4xx' as const,
      },
      ...mutatedCorpus(
        [
          request('GET', '/v1/health'),
          request('GET', '/v1/rollouts?track=demo&limit=5'),
          request('POST', '/v1/tracks', ['Content-Type: text/plain'], '{"name":"t"}'),
          request(
            'POST',
            '/hooks/github',
            ['Content-Type: application/json', 'X-Hub-Signature-256: sha256=00'],
            '{"action":"published"}',
          ),
          request(
            'POST',
            '/hooks/quay/wrong-token',
            ['Content-Type: application/json'],
            '{"repository":"a/b","updated_tags":["t"]}',
          ),
          request('GET', '/assets/index-abc.js'),
        ],
        300,
        'http-front',
      ),
    ];

    // Act
    const { answers, violations } = await runCorpus(target, corpus, { timeoutMs: 1500, concurrency: 8 });

    // Assess
    expect(violations).toEqual([]);
    // The cases of the report that stopped the process each get their 400.
    expect(answers.get('target //')?.status).toBe(400);
    expect(answers.get('/v1: truncated escape')?.status).toBe(400);
    expect(answers.get('/hooks/github: %zz')?.status).toBe(400);
    expect(answers.get('/v1: 10 KB id')?.status).toBe(414);
    // Handlers see decoded query values: a value that is not UTF-8 is refused, never turned into U+FFFD.
    expect(answers.get('/v1/rollouts: query not UTF-8')?.status).toBe(400);
    const health = await exchange(target, request('GET', '/v1/health'));
    expect(health.status).toBe(200);
    expect(warnings.filter((w) => /ERROR/.test(w))).toEqual([]);
    expect(await enqueued()).toEqual(Object.fromEntries(WORK_QUEUE_NAMES.map((n) => [n, 0])));
    expect(await tableItems()).toBe(itemsBefore);

    // The check above can fail: an authentic delivery is enqueued and claimed.
    const body = fixture('dockerhub/push.json').toString('latin1');
    const accepted = await exchange(
      target,
      request('POST', `/hooks/dockerhub/${secrets.dockerhub}`, ['Content-Type: application/json'], body),
    );
    expect(accepted.status).toBe(202);
    expect((await enqueued()).image).toBe(1);
  }, 300_000);
});
