import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { dynamoStores } from '../../functions/adapters/store/index.ts';
import { parseWebhookConfigDocument } from '../../functions/core/ingress/config.ts';
import { parseHookPath } from '../../functions/core/ingress/webhook.ts';
import type { ImagePushed } from '../../functions/core/model.ts';
import { createWebhookHandler } from '../../functions/handlers/webhook.ts';
import { startTestTable, type TestTable } from '../support/dynalite.ts';
import { RecordingQueue } from '../support/registry.ts';
import { authenticEvent, fixture, hookEvent, secrets, testConfig } from './webhook-support.ts';

const D1 = `sha256:${'1a'.repeat(32)}`;
const D2 = `sha256:${'2b'.repeat(32)}`;
const D3 = `sha256:${'3c'.repeat(32)}`;
const D4 = `sha256:${'4d'.repeat(32)}`;
const NOW = new Date('2026-03-10T12:00:00Z');

let table: TestTable;
let queue: RecordingQueue<ImagePushed>;
let handle: ReturnType<typeof createWebhookHandler>;

beforeAll(async () => {
  table = await startTestTable();
});
afterAll(async () => {
  await table.close();
});
beforeEach(() => {
  queue = new RecordingQueue<ImagePushed>();
  handle = createWebhookHandler({
    log: () => undefined,
    config: testConfig,
    imageQueue: queue,
    deliveries: dynamoStores({ doc: table.doc, tableName: table.tableName }).deliveries,
    now: () => NOW,
  });
});

type Expected = Omit<ImagePushed, 'receivedAt'>;

/** Every source's fixtures: what each must enqueue (nothing for noise). */
const cases: { provider: string; file: string; expected: Expected[]; headers?: Record<string, string> }[] = [
  {
    provider: 'distribution',
    file: 'distribution/push-tagged.json',
    expected: [
      {
        source: 'distribution',
        host: 'registry.fleet.example',
        repository: 'fleet/rhcos-layered',
        tag: 'stable',
        digestHint: D1,
        eventId: 'evt-manifest-0002',
      },
    ],
  },
  { provider: 'distribution', file: 'distribution/push-untagged-child.json', expected: [] },
  { provider: 'distribution', file: 'distribution/delete.json', expected: [] },
  {
    provider: 'gitlab',
    file: 'gitlab/push.json',
    expected: [
      {
        source: 'distribution',
        host: 'gitlab-registry.corp.example',
        repository: 'platform/os-images/worker',
        tag: '4.16.3',
        digestHint: D2,
        eventId: '6c0f1a2e-0b7d-4f3e-9a11-2f5c7d9e0a41',
      },
    ],
  },
  {
    provider: 'harbor',
    file: 'harbor/push-default.json',
    expected: [
      {
        source: 'harbor',
        host: 'harbor.edge.example',
        repository: 'edge/rhcos-layered',
        tag: 'v2026.3',
        digestHint: D3,
        eventId: null,
      },
    ],
  },
  { provider: 'harbor', file: 'harbor/push-digest-tag.json', expected: [] },
  {
    provider: 'harbor',
    file: 'harbor/push-cloudevents.json',
    headers: { 'content-type': 'application/cloudevents+json' },
    expected: [
      {
        source: 'harbor',
        host: 'harbor.edge.example',
        repository: 'edge/rhcos-layered',
        tag: 'canary',
        digestHint: D3,
        eventId: '0f9e8d7c-6b5a-4c3d-9e2f-aaaabbbbcccc',
      },
    ],
  },
  {
    provider: 'harbor',
    file: 'harbor/pull-cloudevents.json',
    headers: { 'content-type': 'application/cloudevents+json' },
    expected: [],
  },
  {
    provider: 'quay',
    file: 'quay/repo-push.json',
    expected: [
      {
        source: 'quay',
        host: 'quay.io',
        repository: 'acme-os/rhcos-layered',
        tag: 'prod-2026.03',
        digestHint: null,
        eventId: null,
      },
    ],
  },
  {
    provider: 'quay',
    file: 'quay/repo-push-v1-map.json',
    expected: [
      {
        source: 'quay',
        host: 'quay.io',
        repository: 'acme-os/rhcos-layered',
        tag: 'legacy',
        digestHint: null,
        eventId: null,
      },
    ],
  },
  {
    provider: 'dockerhub',
    file: 'dockerhub/push.json',
    expected: [
      {
        source: 'dockerhub',
        host: 'docker.io',
        repository: 'acmeos/node-image',
        tag: 'edge',
        digestHint: null,
        eventId: null,
      },
    ],
  },
  {
    provider: 'dockerhub',
    file: 'dockerhub/push-official.json',
    expected: [
      {
        source: 'dockerhub',
        host: 'docker.io',
        repository: 'library/debian',
        tag: 'bookworm',
        digestHint: null,
        eventId: null,
      },
    ],
  },
  {
    provider: 'github',
    file: 'github/package-published-tagged.json',
    headers: { 'x-github-delivery': '8a1f0c10-0000-11f0-9a00-aa00bb00cc01' },
    expected: [
      {
        source: 'github',
        host: 'ghcr.io',
        repository: 'acmecorp/os/worker',
        tag: 'v4.16.7',
        digestHint: D4,
        eventId: '8a1f0c10-0000-11f0-9a00-aa00bb00cc01',
      },
    ],
  },
  {
    provider: 'github',
    file: 'github/package-published-untagged.json',
    headers: { 'x-github-delivery': '8a1f0c10-0000-11f0-9a00-aa00bb00cc02' },
    expected: [],
  },
  {
    provider: 'github',
    file: 'github/registry-package-published.json',
    headers: {
      'x-github-event': 'registry_package',
      'x-github-delivery': '8a1f0c10-0000-11f0-9a00-aa00bb00cc03',
    },
    expected: [
      {
        source: 'github',
        host: 'ghcr.io',
        repository: 'acmecorp/os/worker',
        tag: 'nightly',
        digestHint: D1,
        eventId: '8a1f0c10-0000-11f0-9a00-aa00bb00cc03',
      },
    ],
  },
  {
    provider: 'acr',
    file: 'acr/push.json',
    expected: [
      {
        source: 'acr',
        host: 'acmefleet.azurecr.io',
        repository: 'nodes/rhcos-layered',
        tag: 'west-1',
        digestHint: D2,
        eventId: 'e1f2a3b4-c5d6-4e7f-8091-a2b3c4d5e6f7',
      },
    ],
  },
  { provider: 'acr', file: 'acr/chart-push.json', expected: [] },
  { provider: 'acr', file: 'acr/delete.json', expected: [] },
  {
    provider: 'jfrog',
    file: 'jfrog/pushed.json',
    expected: [
      {
        source: 'jfrog',
        host: 'acme.jfrog.io',
        repository: 'os-images-local/rhcos-layered',
        tag: 'prod',
        digestHint: D3,
        eventId: null,
      },
    ],
  },
  { provider: 'jfrog', file: 'jfrog/deleted.json', expected: [] },
  {
    provider: 'gar',
    file: 'gar/insert-tagged.json',
    expected: [
      {
        source: 'gar',
        host: 'europe-west4-docker.pkg.dev',
        repository: 'acme-fleet/os/rhcos-layered',
        tag: 'prod',
        digestHint: D1,
        eventId: '11223344556677',
      },
    ],
  },
  { provider: 'gar', file: 'gar/insert-untagged.json', expected: [] },
  { provider: 'gar', file: 'gar/delete.json', expected: [] },
  {
    provider: 'ecr',
    file: 'ecr/push.json',
    expected: [
      {
        source: 'ecr',
        host: '210987654321.dkr.ecr.eu-central-1.amazonaws.com',
        repository: 'fleet/rhcos-layered',
        tag: 'prod',
        digestHint: D4,
        eventId: '4f0c6f1e-9b1d-4a52-8d7e-0c2b9a1e7d11',
      },
    ],
  },
  { provider: 'ecr', file: 'ecr/push-untagged.json', expected: [] },
  { provider: 'ecr', file: 'ecr/delete.json', expected: [] },
  { provider: 'ecr', file: 'ecr/scan.json', expected: [] },
  { provider: 'ecr', file: 'ecr/storage-class.json', expected: [] },
];

describe('webhook: each source', () => {
  it.each(cases)('$file → $expected.length push(es)', async ({ provider, file, expected, headers }) => {
    // Prepare
    const event = authenticEvent(provider, fixture(file), headers);

    // Act
    const result = await handle(event);

    // Assess
    expect(result.statusCode, String(result.body)).toBe(202);
    expect(queue.bodies).toEqual(expected.map((e) => ({ ...e, receivedAt: NOW.toISOString() })));
  });

  it('accepts a base64-encoded body (API Gateway does so for non-text types)', async () => {
    const body = JSON.parse(fixture('acr/push.json').toString());
    body.id = 'b64-delivery-1';
    const fresh = authenticEvent('acr', JSON.stringify(body));
    fresh.body = Buffer.from(fresh.body!).toString('base64');
    fresh.isBase64Encoded = true;

    const result = await handle(fresh);

    expect(result.statusCode).toBe(202);
    expect(queue.bodies.map((p) => p.eventId)).toEqual(['b64-delivery-1']);
  });
});

describe('webhook: refused deliveries enqueue nothing', () => {
  const forged: [string, ReturnType<typeof hookEvent>][] = [
    [
      'GitHub signature with the wrong secret',
      hookEvent('github', fixture('github/package-published-tagged.json'), {
        headers: { 'x-hub-signature-256': `sha256=${'0'.repeat(64)}`, 'x-github-delivery': 'forged-1' },
      }),
    ],
    ['GitHub without a signature', hookEvent('github', fixture('github/package-published-tagged.json'))],
    [
      'JFrog with the raw secret while signing is configured',
      hookEvent('jfrog', fixture('jfrog/pushed.json'), { headers: { 'x-jfrog-event-auth': secrets.jfrog } }),
    ],
    [
      'distribution with a wrong bearer token',
      hookEvent('distribution', fixture('distribution/push-tagged.json'), {
        headers: { authorization: 'Bearer nope' },
      }),
    ],
    ['Harbor without Authorization', hookEvent('harbor', fixture('harbor/push-default.json'))],
    [
      'Docker Hub with a wrong URL token',
      hookEvent('dockerhub', fixture('dockerhub/push.json'), { token: 'guess' }),
    ],
    ['Quay without a URL token', hookEvent('quay', fixture('quay/repo-push.json'))],
    [
      'GAR with a token prefix',
      hookEvent('gar', fixture('gar/insert-tagged.json'), { token: secrets.gar.slice(0, 4) }),
    ],
    [
      'ECR with a wrong API key',
      hookEvent('ecr', fixture('ecr/push.json'), { headers: { 'x-api-key': 'x' } }),
    ],
  ];
  it.each(forged)('%s → 401', async (_name, event) => {
    const result = await handle(event);
    expect(result.statusCode).toBe(401);
    expect(JSON.parse(String(result.body))).toEqual({ error: 'unauthorized' });
    expect(queue.sent).toHaveLength(0);
  });

  it('refuses a GitHub body changed after signing', async () => {
    const event = authenticEvent('github', fixture('github/package-published-tagged.json'), {
      'x-github-delivery': 'tampered-1',
    });
    event.body = event.body!.replace('v4.16.7', 'v4.16.8');
    expect((await handle(event)).statusCode).toBe(401);
    expect(queue.sent).toHaveLength(0);
  });

  it('refuses ECR events from an account not allowed, with the same 401', async () => {
    const body = JSON.parse(fixture('ecr/push.json').toString());
    body.account = '111111111111';
    const result = await handle(authenticEvent('ecr', JSON.stringify(body)));
    expect(result.statusCode).toBe(401);
    expect(queue.sent).toHaveLength(0);
  });

  it('refuses a replayed GitHub delivery id with 409', async () => {
    const event = authenticEvent('github', fixture('github/package-published-tagged.json'), {
      'x-github-delivery': 'replay-me-1',
    });
    expect((await handle(event)).statusCode).toBe(202);
    const again = await handle(event);
    expect(again.statusCode).toBe(409);
    expect(queue.sent).toHaveLength(1);
  });

  it('refuses a replayed distribution envelope with 409', async () => {
    const body = JSON.parse(fixture('distribution/push-tagged.json').toString());
    body.events[1].id = 'replay-envelope-1';
    const event = authenticEvent('distribution', JSON.stringify(body));
    expect((await handle(event)).statusCode).toBe(202);
    expect((await handle(event)).statusCode).toBe(409);
    expect(queue.sent).toHaveLength(1);
  });

  it('answers a replay with the configured status for senders that retry 4xx forever', async () => {
    const lenient = createWebhookHandler({
      log: () => undefined,
      config: {
        ...testConfig,
        providers: { ...testConfig.providers, acr: { ...testConfig.providers.acr!, replayStatus: 202 } },
      },
      imageQueue: queue,
      deliveries: dynamoStores({ doc: table.doc, tableName: table.tableName }).deliveries,
    });
    const body = JSON.parse(fixture('acr/push.json').toString());
    body.id = 'lenient-replay-1';
    const event = authenticEvent('acr', JSON.stringify(body));
    expect((await lenient(event)).statusCode).toBe(202);
    const again = await lenient(event);
    expect(again.statusCode).toBe(202);
    expect(JSON.parse(String(again.body))).toEqual({ accepted: 0, replayed: 1 });
    expect(queue.sent).toHaveLength(1);
  });

  it('refuses an oversized body with 413 before authenticating it', async () => {
    const big = JSON.stringify({ events: [], padding: 'x'.repeat(testConfig.maxBodyBytes) });
    const result = await handle(authenticEvent('distribution', big));
    expect(result.statusCode).toBe(413);
    expect(queue.sent).toHaveLength(0);
  });

  it('refuses an oversized base64-encoded body with 413', async () => {
    const event = authenticEvent('acr', JSON.stringify({ padding: 'y'.repeat(testConfig.maxBodyBytes) }));
    event.body = Buffer.from(event.body!).toString('base64');
    event.isBase64Encoded = true;
    expect((await handle(event)).statusCode).toBe(413);
    expect(queue.sent).toHaveLength(0);
  });

  it('refuses a wrong content type with 415', async () => {
    const event = authenticEvent('acr', fixture('acr/push.json'), { 'content-type': 'text/plain' });
    expect((await handle(event)).statusCode).toBe(415);
    expect(queue.sent).toHaveLength(0);
  });

  it('refuses a body that is not JSON with 400', async () => {
    const result = await handle(authenticEvent('harbor', '{"type": "PUSH_ARTIFACT", '));
    expect(result.statusCode).toBe(400);
    expect(JSON.parse(String(result.body)).error).toBe('harbor: body is not JSON');
    expect(queue.sent).toHaveLength(0);
  });

  it('names the missing field of a malformed payload (400)', async () => {
    const body = JSON.parse(fixture('dockerhub/push.json').toString());
    delete body.push_data.tag;
    const result = await handle(authenticEvent('dockerhub', JSON.stringify(body)));
    expect(result.statusCode).toBe(400);
    expect(JSON.parse(String(result.body)).error).toMatch(/^dockerhub: push_data\.tag: /);
    expect(queue.sent).toHaveLength(0);
  });

  it('refuses a kept push whose repository is not a valid name (400)', async () => {
    const body = JSON.parse(fixture('acr/push.json').toString());
    body.target.repository = 'Nodes/UPPER';
    body.id = 'bad-repo-1';
    const result = await handle(authenticEvent('acr', JSON.stringify(body)));
    expect(result.statusCode).toBe(400);
    expect(queue.sent).toHaveLength(0);
  });

  it('answers 404 for an unknown provider', async () => {
    expect((await handle(hookEvent('nexus', '{}'))).statusCode).toBe(404);
  });
});

describe('parseHookPath', () => {
  it('reads the provider and an optional token, with a stage prefix', () => {
    expect(parseHookPath('/hooks/quay/abc%2Fdef')).toEqual({ provider: 'quay', token: 'abc/def' });
    expect(parseHookPath('/prod/hooks/github')).toEqual({ provider: 'github', token: null });
    expect(parseHookPath('/admin/tracks')).toBeNull();
  });
});

describe('parseWebhookConfigDocument', () => {
  it('reads the full document or a providers-only object, naming the origin in errors', () => {
    const auth = [{ kind: 'url-token', token: 't' }];
    expect(
      parseWebhookConfigDocument({ providers: { quay: { auth } } }, 'secret').providers.quay?.auth,
    ).toEqual(auth);
    expect(parseWebhookConfigDocument({ quay: { auth } }, 'secret').providers.quay?.auth).toEqual(auth);
    expect(() => parseWebhookConfigDocument({ quay: { auth: [] } }, 'arn:secret')).toThrow(
      /^arn:secret: providers\.quay\.auth/,
    );
  });
});
