/**
 * The build tick of the local runtime: every `intervalSeconds` one build pass per track that has a build
 * definition (functions/adapters/builder/track-builds.ts), with buildah as the builder on a storage of its
 * own. A moved base (a cluster upgraded, or the stream's tag moved for agent clusters) is found by the next
 * pass, which rebuilds and rolls out, or records the rebuild awaiting approval. Passes never overlap.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildahBuilder, runTrackBuilds } from '../functions/adapters/builder/index.ts';
import { createClusterConnector } from '../functions/adapters/cluster/connector.ts';
import { createCredentialsResolver } from '../functions/adapters/cluster/credentials.ts';
import { staticTokens } from '../functions/adapters/secrets/tokens.ts';
import type { TagResolver } from '../functions/core/registry.ts';
import type { RuntimeService } from './runtime.ts';
import { startTick } from './ticks.ts';

/** Options of {@link buildService}. */
export interface BuildServiceOptions {
  intervalSeconds: number;
  tokens: Record<string, string>;
  resolver: TagResolver;
  /** Where buildah keeps its storage; a temporary directory (removed on stop) when absent. */
  dataDir?: string;
  onWarning: (line: string) => void;
}

/** The build tick as a runtime service. */
export function buildService(options: BuildServiceOptions): RuntimeService {
  return {
    name: 'builds',
    async start(ctx) {
      const dir = options.dataDir
        ? join(options.dataDir, 'buildah')
        : mkdtempSync(join(tmpdir(), 'strata-buildah-'));
      mkdirSync(dir, { recursive: true });
      const deps = {
        stores: ctx.stores,
        clusters: createClusterConnector(ctx.store, createCredentialsResolver(staticTokens(options.tokens))),
        resolver: options.resolver,
        builder: buildahBuilder({ root: join(dir, 'root'), runroot: join(dir, 'runroot') }),
        planQueue: ctx.queues.plan,
      };
      const tick = startTick({
        name: 'strata-builds',
        functionName: 'strata-builds',
        intervalSeconds: options.intervalSeconds,
        runAtStart: true,
        handler: async () => {
          for (const track of await ctx.stores.tracks.listTracks()) {
            if (!track.build) continue;
            const pass = await runTrackBuilds(deps, track);
            for (const r of pass.set.refused)
              options.onWarning(`build ${track.name}: cluster ${r.clusterId} refused: ${r.reason}`);
          }
        },
        onError: (error) =>
          options.onWarning(`builds: ${error instanceof Error ? error.message : String(error)}`),
      });
      return {
        async stop() {
          await tick.stop();
          if (!options.dataDir) rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  };
}
