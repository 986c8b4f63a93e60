/**
 * `strata check` and the update-check columns of `strata get` against a running embedded Strata (admin API
 * on the HTTP front, the update-check and image-push consumers) and a real registry.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClusterConnector } from '../../functions/adapters/cluster/connector.ts';
import { createCredentialsResolver } from '../../functions/adapters/cluster/credentials.ts';
import { logOnlyPublisher } from '../../functions/adapters/events/publisher.ts';
import { createCheckRegistry } from '../../functions/adapters/registry/check-registry.ts';
import { OciRegistryClient, staticCredentials } from '../../functions/adapters/registry/index.ts';
import { staticTokens } from '../../functions/adapters/secrets/tokens.ts';
import { replaceClusterDrift } from '../../functions/adapters/store/checks.ts';
import { listRolloutsByTrack } from '../../functions/adapters/store/rollouts.ts';
import { saveTrack } from '../../functions/adapters/store/tracks.ts';
import { parseTrack } from '../../functions/core/tracks/parse.ts';
import { createAdminHandler } from '../../functions/handlers/admin.ts';
import { createImagePushHandler } from '../../functions/handlers/image-push.ts';
import { runCheckTick } from '../../functions/handlers/update-check/tick.ts';
import { createUpdateCheckHandler } from '../../functions/handlers/update-check.ts';
import { type Runtime, type RuntimeContext, startRuntime } from '../../local/runtime.ts';
import {
  OciLayout,
  skopeoDigest,
  skopeoPush,
  startRegistry,
  type TestRegistry,
} from '../support/registry.ts';
import { annotatedImage } from './support.ts';

const cli = fileURLToPath(new URL('../../bin/strata.ts', import.meta.url));
const run = promisify(execFile);

/** Runs the real CLI without blocking this process (the Strata it talks to runs here). */
async function strata(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [cli, ...args, '--url', url], { timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

let registry: TestRegistry;
let layout: OciLayout;
let runtime: Runtime;
let url: string;
const clusters = (ctx: RuntimeContext) =>
  createClusterConnector(ctx.store, createCredentialsResolver(staticTokens({})));

beforeAll(async () => {
  registry = await startRegistry();
  layout = new OciLayout();
  runtime = await startRuntime({
    updateCheckIntervalSeconds: 3600,
    waitTimeSeconds: 1,
    handlers: (ctx) => ({
      'update-check': createUpdateCheckHandler({
        stores: ctx.stores,
        ...createCheckRegistry(staticCredentials({ registries: {} })),
        imageQueue: ctx.queues.image,
        checkQueue: ctx.queues.check,
        publisher: logOnlyPublisher,
        log: () => undefined,
      }),
      'image-push': createImagePushHandler({
        stores: ctx.stores,
        resolver: new OciRegistryClient({ credentials: staticCredentials({ registries: {} }) }),
        planQueue: ctx.queues.plan,
        log: () => undefined,
      }),
    }),
    routes: (ctx) => [
      {
        routeKey: 'ANY /v1/{proxy+}',
        handler: createAdminHandler({
          stores: ctx.stores,
          imageQueue: ctx.queues.image,
          planQueue: ctx.queues.plan,
          reconcileQueue: ctx.queues.reconcile,
          checks: {
            run: (only) =>
              runCheckTick(
                { stores: ctx.stores, checkQueue: ctx.queues.check, clusters: clusters(ctx) },
                only,
              ),
          },
          clusters: clusters(ctx),
        }),
      },
    ],
  });
  url = runtime.services.http!.url!;
}, 60_000);

afterAll(async () => {
  await runtime?.stop();
  await registry?.stop();
  layout?.remove();
});

describe('strata check and strata get tracks|drift', { timeout: 120_000 }, () => {
  it('checks a track now, rolls its moved tag out, and shows the digest and check time', async () => {
    // Prepare
    layout.tag('v1', annotatedImage(layout, 'cli-v1'));
    await skopeoPush(layout, 'v1', `${registry.host}/acme/cli:prod`);
    const v1 = await skopeoDigest(`${registry.host}/acme/cli:prod`);
    await saveTrack(
      runtime.context.store,
      parseTrack({ name: 'cli', image: `${registry.host}/acme/cli:prod` }, 'test'),
    );
    const first = await strata(['check', 'cli', '--wait']);
    expect(first).toMatchObject({ code: 0 });
    expect(first.stdout).toMatch(/: 1 track\(s\) queued/);
    expect(first.stdout).toContain(`cli: ${v1}`);

    // Act: the tag moves; the check runs on demand.
    layout.tag('v2', annotatedImage(layout, 'cli-v2'));
    await skopeoPush(layout, 'v2', `${registry.host}/acme/cli:prod`);
    const v2 = await skopeoDigest(`${registry.host}/acme/cli:prod`);
    const second = await strata(['check', 'cli', '--wait']);
    const deadline = Date.now() + 20_000;
    while ((await listRolloutsByTrack(runtime.context.store, 'cli')).length === 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const table = await strata(['get', 'tracks']);

    // Assess
    expect(second.stdout).toContain(`cli: ${v2}`);
    expect((await listRolloutsByTrack(runtime.context.store, 'cli')).map((r) => r.image.digest)).toEqual([
      v2,
    ]);
    expect(table.code).toBe(0);
    const [header, row] = table.stdout.trim().split('\n');
    expect(header).toMatch(/NAME\s+IMAGE.*DIGEST\s+CHECKED\s+STALE-BASE/);
    expect(row).toContain(v2.slice(7, 19));
    expect(row).toMatch(/\d+s ago\s+-$/);
  });

  it('names an unknown track, and lists no drift where there is none', async () => {
    const unknown = await strata(['check', 'nope']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('track nope: not found');
    const drift = await strata(['get', 'drift']);
    expect(drift).toMatchObject({ code: 0, stdout: 'No drift found.\n' });
    const json = await strata(['get', 'drift', '-o', 'json']);
    expect(JSON.parse(json.stdout)).toEqual({ kind: 'drift', items: [] });
    // A cluster whose drift check failed is named on stderr (exit 1).
    await replaceClusterDrift(
      runtime.context.store,
      'gone',
      { error: 'connect ECONNREFUSED' },
      '2026-11-21T00:00:00Z',
    );
    const failed = await strata(['get', 'drift']);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain(
      'strata: cluster gone: drift check failed at 2026-11-21T00:00:00Z: connect ECONNREFUSED',
    );
  });
});
