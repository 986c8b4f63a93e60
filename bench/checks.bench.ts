/**
 * Update-check cycles over 1,000 tracks on a real registry (Debian's docker-registry with token auth, the
 * way Docker Hub, Quay and GHCR work), every request counted by a loopback proxy in front of it and by the
 * token server. 1,000 tags in 20 repositories, every image built on one base tag.
 *
 * - Strata: the update-check handler as deployed (tick → check queue → consumer batches of 10, 5 at once),
 *   one OCI client per process (bearer tokens cached per scope, conditional manifest HEADs, per-host
 *   pacing), base tags resolved once per cycle. Cycle 1 is cold (tokens, one manifest read per new digest);
 *   cycles 2 and 3 are the steady state (nothing changed).
 * - Baseline, same run: a naive checker that, per track, resolves the tag and the base tag with a fresh
 *   client (no token cache, no shared base answer), at the same concurrency.
 */
import { createHash } from 'node:crypto';
import { createServer, request as httpRequest } from 'node:http';
import type { Context, SQSEvent } from 'aws-lambda';
import { logOnlyPublisher } from '../functions/adapters/events/publisher.ts';
import { createCheckRegistry } from '../functions/adapters/registry/check-registry.ts';
import { OciRegistryClient, staticCredentials } from '../functions/adapters/registry/index.ts';
import { dynamoStores } from '../functions/adapters/store/index.ts';
import { saveTrack } from '../functions/adapters/store/tracks.ts';
import type { ImagePushed } from '../functions/core/model.ts';
import type { CheckQueueMessage } from '../functions/core/ports.ts';
import { parseTrack } from '../functions/core/tracks/parse.ts';
import { createUpdateCheckHandler } from '../functions/handlers/update-check.ts';
import { startTestTable } from '../test/support/dynalite.ts';
import { RecordingQueue, startRegistry } from '../test/support/registry.ts';
import { type Figure, recordResults } from './support/results.ts';

const TRACKS = 1_000;
const REPOSITORIES = 20;
const BATCH = 10;
const CONCURRENCY = 5;
/** Pacing used here (per host); the default for deployments is 10/s, which spreads 1,000 tracks over ~100 s. */
const PACE = { ratePerSecond: 500, burst: 50 };
const USER = { username: 'bench', password: 'bench-secret' };
const BASIC = `Basic ${Buffer.from(`${USER.username}:${USER.password}`).toString('base64')}`;

/** A loopback proxy that counts requests to the registry, by method and by answer status. */
async function countingProxy(target: string) {
  const upstream = new URL(target);
  const counts = { total: 0, byKind: new Map<string, number>() };
  const server = createServer((req, res) => {
    const forward = httpRequest(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: upstream.host },
      },
      (answer) => {
        counts.total++;
        const kind = `${req.method} ${req.url?.includes('/manifests/') ? 'manifest' : req.url?.includes('/blobs/') ? 'blob' : 'other'} ${answer.statusCode}`;
        counts.byKind.set(kind, (counts.byKind.get(kind) ?? 0) + 1);
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', () => res.writeHead(502).end());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    counts,
    reset() {
      counts.total = 0;
      counts.byKind.clear();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Pushes over the registry API with a push token (skopeo is not needed for synthetic images). */
async function pusher(registryUrl: string) {
  const tokens = new Map<string, string>();
  const tokenFor = async (repository: string) => {
    const known = tokens.get(repository);
    if (known) return known;
    const probe = await fetch(`${registryUrl}/v2/`);
    const challenge = probe.headers.get('www-authenticate') ?? '';
    await probe.body?.cancel();
    const realm = /realm="([^"]+)"/.exec(challenge)![1]!;
    const service = /service="([^"]+)"/.exec(challenge)![1]!;
    const url = `${realm}?service=${encodeURIComponent(service)}&scope=${encodeURIComponent(`repository:${repository}:pull,push`)}`;
    const body = (await (await fetch(url, { headers: { authorization: BASIC } })).json()) as {
      token: string;
    };
    tokens.set(repository, body.token);
    return body.token;
  };
  const blob = async (repository: string, bytes: Buffer) => {
    const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    const auth = { authorization: `Bearer ${await tokenFor(repository)}` };
    const start = await fetch(`${registryUrl}/v2/${repository}/blobs/uploads/`, {
      method: 'POST',
      headers: auth,
    });
    await start.body?.cancel();
    const location = new URL(start.headers.get('location')!, registryUrl);
    location.searchParams.set('digest', digest);
    const put = await fetch(location, {
      method: 'PUT',
      headers: { ...auth, 'content-type': 'application/octet-stream' },
      body: bytes,
    });
    await put.body?.cancel();
    if (put.status !== 201) throw new Error(`blob upload: HTTP ${put.status}`);
    return { digest, size: bytes.length };
  };
  const manifest = async (repository: string, tag: string, body: string, mediaType: string) => {
    const put = await fetch(`${registryUrl}/v2/${repository}/manifests/${tag}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${await tokenFor(repository)}`, 'content-type': mediaType },
      body,
    });
    await put.body?.cancel();
    if (put.status !== 201) throw new Error(`manifest ${repository}:${tag}: HTTP ${put.status}`);
    return `sha256:${createHash('sha256').update(body).digest('hex')}`;
  };
  /** An image (one empty layer, a config naming `label`) with `annotations`; returns the manifest digest. */
  const image = async (
    repository: string,
    tags: string[],
    label: string,
    annotations?: Record<string, string>,
  ) => {
    const layer = await blob(repository, Buffer.alloc(1024));
    const config = await blob(
      repository,
      Buffer.from(
        JSON.stringify({
          architecture: 'amd64',
          os: 'linux',
          config: { Labels: { 'org.example.build': label } },
          rootfs: { type: 'layers', diff_ids: [layer.digest] },
        }),
      ),
    );
    const mediaType = 'application/vnd.oci.image.manifest.v1+json';
    const body = JSON.stringify({
      schemaVersion: 2,
      mediaType,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', ...layer }],
      ...(annotations ? { annotations } : {}),
    });
    let digest = '';
    for (const tag of tags) digest = await manifest(repository, tag, body, mediaType);
    return digest;
  };
  return { image };
}

function sqsEvent(bodies: unknown[]): SQSEvent {
  return {
    Records: bodies.map((body, i) => ({
      messageId: `m-${i}`,
      receiptHandle: 'r',
      body: JSON.stringify(body),
      attributes: {} as SQSEvent['Records'][number]['attributes'],
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:check',
      awsRegion: 'us-east-1',
    })),
  };
}

/** Runs `work` over `items` in batches of BATCH with CONCURRENCY batches at once (Lambda's event source). */
async function inBatches<T>(items: T[], work: (batch: T[]) => Promise<unknown>): Promise<void> {
  const batches: T[][] = [];
  for (let i = 0; i < items.length; i += BATCH) batches.push(items.slice(i, i + BATCH));
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < batches.length) await work(batches[next++]!);
    }),
  );
}

async function main() {
  const registry = await startRegistry({ tokenAuth: { ...USER, expiresIn: 3600 } });
  const proxy = await countingProxy(registry.url);
  const table = await startTestTable();
  const host = 'registry.bench:5000';
  const credentials = staticCredentials({ registries: { [host]: { endpoint: proxy.url, ...USER } } });
  try {
    // Prepare: one base, 1,000 tags in 20 repositories built on it, 1,000 tracks.
    const push = await pusher(registry.url);
    const baseDigest = await push.image('acme/base', ['9'], 'base');
    const perRepository = TRACKS / REPOSITORIES;
    const names: string[] = [];
    for (let r = 0; r < REPOSITORIES; r++) {
      const tags = Array.from({ length: perRepository }, (_, i) => `t${i}`);
      await push.image(`acme/app${r}`, tags, `app${r}`, {
        'org.opencontainers.image.base.name': `${host}/acme/base:9`,
        'org.opencontainers.image.base.digest': baseDigest,
      });
      for (const tag of tags) {
        const name = `app${r}-${tag}`;
        names.push(name);
        await saveTrack(table, parseTrack({ name, image: `${host}/acme/app${r}:${tag}` }, 'bench'));
      }
    }

    // Strata's update check.
    const checkQueue = new RecordingQueue<CheckQueueMessage>();
    const deps = {
      stores: dynamoStores({ doc: table.doc, tableName: table.tableName }),
      ...createCheckRegistry(credentials, PACE),
      imageQueue: new RecordingQueue<ImagePushed>(),
      checkQueue,
      publisher: logOnlyPublisher,
      log: () => undefined,
    };
    const handler = createUpdateCheckHandler(deps);
    const context = { functionName: 'update-check', awsRequestId: 'bench' } as Context;
    const cycles: { wallMs: number; registry: number; tokens: number; kinds: Record<string, number> }[] = [];
    for (let cycle = 1; cycle <= 3; cycle++) {
      proxy.reset();
      const tokensBefore = registry.tokenRequests();
      const started = performance.now();
      const sent = checkQueue.bodies.length;
      await handler({ source: 'aws.scheduler' } as never, context);
      const messages = checkQueue.bodies.slice(sent);
      let failures = 0;
      await inBatches(messages, async (batch) => {
        const out = (await handler(sqsEvent(batch), context)) as { batchItemFailures: unknown[] };
        failures += out.batchItemFailures.length;
      });
      if (failures > 0) throw new Error(`cycle ${cycle}: ${failures} failed checks`);
      cycles.push({
        wallMs: performance.now() - started,
        registry: proxy.counts.total,
        tokens: registry.tokenRequests() - tokensBefore,
        kinds: Object.fromEntries(proxy.counts.byKind),
      });
    }

    // Baseline: per track, a fresh client resolves the tag and the base tag.
    proxy.reset();
    const tokensBefore = registry.tokenRequests();
    const started = performance.now();
    await inBatches(names, async (batch) => {
      await Promise.all(
        batch.map(async (name) => {
          const client = new OciRegistryClient({ credentials });
          const [repository, tag] = [`acme/${name.split('-')[0]}`, name.split('-')[1]!];
          await client.resolveTag({ host, repository, tag });
          await client.resolveTag({ host, repository: 'acme/base', tag: '9' });
        }),
      );
    });
    const baseline = {
      wallMs: performance.now() - started,
      registry: proxy.counts.total,
      tokens: registry.tokenRequests() - tokensBefore,
      kinds: Object.fromEntries(proxy.counts.byKind),
    };

    const steady = cycles[2]!;
    const perTrack = steady.registry / TRACKS;
    const figures: Figure[] = [
      {
        name: `steady cycle, ${TRACKS} unchanged tracks: registry requests per track`,
        value: perTrack,
        unit: 'requests',
        target: '≤ 1',
        note: `${steady.registry} requests (${JSON.stringify(steady.kinds)}), ${steady.tokens} token requests; naive baseline ${(baseline.registry / TRACKS).toFixed(2)} per track (${(baseline.registry / steady.registry).toFixed(1)}× more)`,
      },
      {
        name: 'steady cycle: token requests',
        value: steady.tokens,
        unit: 'requests',
        note: `baseline ${baseline.tokens} (one per tag and base lookup: no token cache)`,
      },
      {
        name: 'steady cycle: wall time',
        value: Math.round(steady.wallMs),
        unit: 'ms',
        note: `tick + ${TRACKS / BATCH} batches of ${BATCH}, ${CONCURRENCY} at once, paced ${PACE.ratePerSecond}/s per host (default 10/s); baseline (no pacing, no table) ${Math.round(baseline.wallMs)} ms`,
      },
      {
        name: 'cold cycle (first): registry requests per track',
        value: cycles[0]!.registry / TRACKS,
        unit: 'requests',
        note: `${JSON.stringify(cycles[0]!.kinds)}; ${cycles[0]!.tokens} token requests (one per repository scope); one manifest GET per track for its base annotation, never repeated for the same digest`,
      },
      {
        name: 'cold cycle (first): wall time',
        value: Math.round(cycles[0]!.wallMs),
        unit: 'ms',
      },
      {
        name: 'second cycle: registry requests per track',
        value: cycles[1]!.registry / TRACKS,
        unit: 'requests',
        note: JSON.stringify(cycles[1]!.kinds),
      },
      {
        name: 'baseline (naive HEAD of tag and base per track, fresh client): registry requests per track',
        value: baseline.registry / TRACKS,
        unit: 'requests',
        note: JSON.stringify(baseline.kinds),
      },
    ];
    recordResults(
      'checks',
      `One update-check cycle over ${TRACKS} tracks (${REPOSITORIES} repositories × ${perRepository} tags, all built on one base tag) on Debian's docker-registry with token auth; every registry request counted by a loopback proxy, token requests by the token server. Baseline in the same run: per track, a fresh client resolving the tag and the base tag.`,
      figures,
    );
  } finally {
    await proxy.close();
    await registry.stop();
    await table.close();
  }
}

await main();
