/**
 * A delivery while the embedded runtime is still starting: the HTTP front listens before the last service
 * (here, as in `strata start`, the one that saves the tracks) has started. Such a delivery is answered 503
 * with Retry-After, nothing is claimed or enqueued, and the sender's redelivery once the runtime is up is
 * accepted and rolled out exactly once. Real parts throughout: webhook and image-push handlers as
 * local/wiring.ts builds them, dynalite, the embedded SQS server, a real registry.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { staticCredentials } from '../../functions/adapters/registry/credentials.ts';
import { createTagResolver } from '../../functions/adapters/registry/index.ts';
import { parseWebhookConfig } from '../../functions/core/ingress/config.ts';
import { parseTrack } from '../../functions/core/tracks/parse.ts';
import { type Runtime, type RuntimeService, startRuntime } from '../../local/runtime.ts';
import { type LocalWiringOptions, localHandlers, localRoutes } from '../../local/wiring.ts';
import { annotatedImage } from '../checks/support.ts';
import { exchange, request } from '../support/http-fuzz.ts';
import {
  freePort,
  OciLayout,
  skopeoDigest,
  skopeoPush,
  startRegistry,
  type TestRegistry,
} from '../support/registry.ts';
import { eventually, gate, queueCounts } from './helpers.ts';

const SECRET = 'Bearer startup-hold-secret';
let registry: TestRegistry | undefined;
let layout: OciLayout | undefined;
let runtime: Runtime | undefined;
afterAll(async () => {
  await runtime?.stop();
  await registry?.stop();
  layout?.remove();
});

describe('deliveries while the embedded runtime starts', () => {
  it('are answered 503 with Retry-After and not claimed; the redelivery is rolled out once', async () => {
    // Prepare
    registry = await startRegistry();
    layout = new OciLayout();
    layout.tag('v1', annotatedImage(layout, 'startup-v1'));
    await skopeoPush(layout, 'v1', `${registry.host}/acme/os:prod`);
    const digest = await skopeoDigest(`${registry.host}/acme/os:prod`);
    const credentials = staticCredentials({ registries: {} });
    const wiring: LocalWiringOptions = {
      tokens: {},
      registryCredentials: credentials,
      resolver: createTagResolver(credentials),
      declareDigest: () => undefined,
      webhooks: parseWebhookConfig(
        {
          providers: { distribution: { auth: [{ kind: 'header', header: 'Authorization', value: SECRET }] } },
        },
        'test',
      ),
      onWarning: () => undefined,
    };
    const registration = gate();
    const tracks: RuntimeService = {
      name: 'registration',
      async start(ctx) {
        await registration.promise;
        await ctx.stores.tracks.saveTrack(
          parseTrack({ name: 'prod', image: `${registry!.host}/acme/os:prod` }, 'test'),
        );
        return { stop: async () => {} };
      },
    };
    const port = await freePort();
    const starting = startRuntime({
      port,
      waitTimeSeconds: 1,
      handlers: (ctx) => localHandlers(ctx, wiring),
      routes: (ctx) => localRoutes(ctx, wiring),
      services: [tracks],
    });
    const target = { host: '127.0.0.1', port };
    const delivery = request(
      'POST',
      '/hooks/distribution',
      ['Content-Type: application/vnd.docker.distribution.events.v2+json', `Authorization: ${SECRET}`],
      JSON.stringify({
        events: [
          {
            id: 'evt-startup-1',
            timestamp: new Date().toISOString(),
            action: 'push',
            target: {
              mediaType: 'application/vnd.oci.image.manifest.v1+json',
              digest,
              repository: 'acme/os',
              tag: 'prod',
            },
            request: { id: 'req-startup', host: registry.host, method: 'PUT', useragent: 'skopeo' },
          },
        ],
      }),
    );

    // Act: deliver while the runtime is starting (the front listens, the tracks are not saved yet).
    const early = await eventually('the front to listen', async () => {
      const answer = await exchange(target, delivery);
      return answer.status === null ? undefined : answer;
    });
    registration.open();
    runtime = await starting;
    const imageQueue = await queueCounts(runtime.context.sqs, runtime.context.queueAddresses.image.url);
    const redelivered = await exchange(target, delivery);
    const rollouts = await eventually('the rollout', async () => {
      const all = await runtime!.context.stores.rollouts.listRollouts();
      return all.length > 0 ? all : undefined;
    });
    // A little longer: a second rollout would show up now.
    await new Promise((r) => setTimeout(r, 2000));

    // Assess
    expect(early.status).toBe(503);
    expect(early.text).toMatch(/\r\nretry-after: 2\r\n/i);
    expect(imageQueue).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
    expect(redelivered.status).toBe(202);
    expect(redelivered.text).toContain('"accepted":1');
    expect(rollouts).toHaveLength(1);
    expect(await runtime.context.stores.rollouts.listRollouts()).toHaveLength(1);
    expect(rollouts[0]).toMatchObject({ track: 'prod', image: { digest } });
  }, 120_000);
});
