/**
 * The embedded runtime's wiring: every handler's dependencies built from the runtime's clients and queues
 * (local/runtime.ts), as functions/wiring/aws.ts builds them from the environment on AWS. Cluster tokens
 * live in memory, tags declared by `publish` resolve without a registry, BaseImageUpdated events stay in
 * the table's log, and warnings (failed checks, refused deliveries) go to `onWarning`.
 */
import { createClusterConnector } from '../functions/adapters/cluster/connector.ts';
import { createCredentialsResolver } from '../functions/adapters/cluster/credentials.ts';
import { createClusterProbe } from '../functions/adapters/cluster/probe.ts';
import { logOnlyPublisher } from '../functions/adapters/events/index.ts';
import { cachedJwks } from '../functions/adapters/ingress/jwks.ts';
import { createCheckRegistry } from '../functions/adapters/registry/check-registry.ts';
import type { RegistryCredentials } from '../functions/adapters/registry/credentials.ts';
import { createManifestDeleter } from '../functions/adapters/registry/resolver.ts';
import { staticTokens } from '../functions/adapters/secrets/tokens.ts';
import { createClusterCache } from '../functions/adapters/store/clusters.ts';
import type { WebhookConfig } from '../functions/core/ingress/config.ts';
import type { CheckTrigger, Log } from '../functions/core/ports.ts';
import type { TagResolver } from '../functions/core/registry.ts';
import { createAdminHandler } from '../functions/handlers/admin.ts';
import { createImagePushHandler } from '../functions/handlers/image-push.ts';
import { createNodeStateHandler } from '../functions/handlers/node-state.ts';
import { createPlanRolloutHandler } from '../functions/handlers/plan-rollout.ts';
import { createPoolReconcileHandler } from '../functions/handlers/pool-reconcile.ts';
import { createResyncHandler } from '../functions/handlers/resync.ts';
import { runCheckTick } from '../functions/handlers/update-check/tick.ts';
import { createUpdateCheckHandler } from '../functions/handlers/update-check.ts';
import { createWebhookHandler } from '../functions/handlers/webhook.ts';
import { dashboardRoutes } from './dashboard-assets.ts';
import type { HttpRoute } from './http-front.ts';
import type { RuntimeContext, RuntimeHandlers } from './runtime.ts';

/** What the local wiring is given besides the runtime. */
export interface LocalWiringOptions {
  /** Cluster tokens by secret name; `POST /v1/clusters` with a token adds to it. */
  tokens: Record<string, string>;
  /** Strata's registry credentials (the config file's `registries`). */
  registryCredentials: RegistryCredentials;
  /** Resolves tags: declared digests first, then the registry. */
  resolver: TagResolver;
  /** Makes `publish IMAGE@DIGEST` resolve to that digest without a registry. */
  declareDigest: (image: { host: string; repository: string; tag: string }, digest: string) => void;
  /** Registry webhook configuration; `POST /hooks/{provider}[/{token}]` is served when given. */
  webhooks?: WebhookConfig;
  /** Warning and error lines. */
  onWarning: (line: string) => void;
}

/** A log that passes warnings and errors on as one line each and keeps nothing else. */
export function warningsLog(onWarning: (line: string) => void): Log {
  return (line) => {
    if (line.level !== 'WARN' && line.level !== 'ERROR') return;
    onWarning(`${line.level}: ${line.message}${line.error ? `: ${String(line.error)}` : ''}`);
  };
}

/** The shared parts: stores, queues, cluster access and the log. */
function common(ctx: RuntimeContext, options: LocalWiringOptions) {
  return {
    stores: ctx.stores,
    clusters: createClusterConnector(ctx.store, createCredentialsResolver(staticTokens(options.tokens))),
    imageQueue: ctx.queues.image,
    planQueue: ctx.queues.plan,
    reconcileQueue: ctx.queues.reconcile,
    checkQueue: ctx.queues.check,
    log: warningsLog(options.onWarning),
  };
}

/** The update check's tick on demand (admin's `POST /v1/checks`). */
function checkTrigger(deps: ReturnType<typeof common>): CheckTrigger {
  return { run: (only) => runCheckTick(deps, only) };
}

/** Every queue consumer and tick, as the stack deploys them. */
export function localHandlers(ctx: RuntimeContext, options: LocalWiringOptions): RuntimeHandlers {
  const deps = common(ctx, options);
  return {
    'image-push': createImagePushHandler({ ...deps, resolver: options.resolver }),
    'plan-rollout': createPlanRolloutHandler(deps),
    // Local pacing: cluster events drive progress; polls only cover what they miss.
    'pool-reconcile': createPoolReconcileHandler({
      ...deps,
      settings: { pollSeconds: 1, drainRetrySeconds: 1 },
    }),
    'node-state': createNodeStateHandler({ ...deps, registrations: createClusterCache(ctx.store, 0) }),
    resync: createResyncHandler(deps),
    // Scheduled checks: moved tags (declared digests answer first), stale bases, drift.
    'update-check': createUpdateCheckHandler({
      ...deps,
      ...createCheckRegistry(options.registryCredentials),
      resolver: options.resolver,
      publisher: logOnlyPublisher,
    }),
  };
}

/** The admin API under /v1, the web dashboard at the root (dashboard-assets.ts) and, when configured, the registry webhooks. */
export function localRoutes(ctx: RuntimeContext, options: LocalWiringOptions): HttpRoute[] {
  const deps = common(ctx, options);
  const admin = createAdminHandler({
    ...deps,
    probe: createClusterProbe(createCredentialsResolver(staticTokens(options.tokens))),
    resolver: options.resolver,
    registryCleaner: createManifestDeleter(options.registryCredentials),
    checks: checkTrigger(deps),
    tokens: {
      put: async (name, token) => {
        options.tokens[name] = token;
      },
    },
    declareDigest: options.declareDigest,
  });
  const routes: HttpRoute[] = [{ routeKey: 'ANY /v1/{proxy+}', handler: admin }, ...dashboardRoutes()];
  if (options.webhooks) {
    const webhook = createWebhookHandler({
      ...deps,
      config: options.webhooks,
      deliveries: ctx.stores.deliveries,
      jwks: cachedJwks(),
    });
    routes.push(
      { routeKey: 'POST /hooks/{provider}', handler: webhook },
      { routeKey: 'POST /hooks/{provider}/{token}', handler: webhook },
    );
  }
  return routes;
}
