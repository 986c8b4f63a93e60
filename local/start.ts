/**
 * What `strata start` runs: the embedded runtime (local/runtime.ts) with every handler, the admin API on
 * the HTTP front under /v1, a simulated fleet (sim/) and/or real clusters from a config file, registered
 * with their pools, a watch relay per cluster feeding the cluster-event queue, and the registry webhooks
 * when configured. Also the demo: a track
 * over the simulated fleet and a published image with a declared (not registry-resolved) digest.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { parseDocument } from 'yaml';
import * as z from 'zod';
import { createClusterConnector } from '../functions/adapters/cluster/connector.ts';
import { createCredentialsResolver } from '../functions/adapters/cluster/credentials.ts';
import { parseCredentialsDocument, staticCredentials } from '../functions/adapters/registry/credentials.ts';
import type { TagResolver } from '../functions/adapters/registry/oci-client.ts';
import { createTagResolver } from '../functions/adapters/registry/resolver.ts';
import { staticTokens } from '../functions/adapters/secrets/tokens.ts';
import type { ClusterRegistration } from '../functions/core/clusters.ts';
import { parseWebhookConfig, type WebhookConfig } from '../functions/core/ingress/config.ts';
import { AgentAnnotations, NodeAnnotations, type Track } from '../functions/core/model.ts';
import { followedImageKey } from '../functions/core/tracks/match.ts';
import { parseTrack } from '../functions/core/tracks/parse.ts';
import { IntOrPercentSchema } from '../functions/core/tracks/schema.ts';
import { startWatchRelay } from '../relay/watch-relay.ts';
import { type Fleet, loadScenario, type Scenario, startFleet } from '../sim/index.ts';
import { buildService } from './build-service.ts';
import { type LocalAccessOptions, type PublishedAccess, prepareLocalAccess } from './local-access.ts';
import { type Runtime, type RuntimeService, startRuntime } from './runtime.ts';
import { type LocalWiringOptions, localHandlers, localRoutes } from './wiring.ts';

/** A configuration file that cannot be used, naming the file and the field. */
export class StartConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StartConfigError';
  }
}

const PoolSchema = z.union([
  z.string().min(1),
  z.strictObject({
    name: z.string().min(1),
    nodeSelector: z.record(z.string(), z.string()).optional(),
    maxUnavailable: IntOrPercentSchema.optional(),
  }),
]);

const ConfigClusterSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, "lower-case letters, digits, '-' or '.'"),
  /** Kubeconfig file (relative to the config file); default `$KUBECONFIG` or ~/.kube/config. */
  kubeconfig: z.string().min(1).optional(),
  /** Context in it; default its current context. */
  context: z.string().min(1).optional(),
  labels: z.record(z.string(), z.string()).default({}),
  pools: z.array(PoolSchema).min(1).default(['worker']),
  windows: z
    .array(
      z.strictObject({
        cron: z.string().min(1),
        timeZone: z.string().optional(),
        durationMinutes: z.number().positive(),
      }),
    )
    .optional(),
  /** Run a watch relay in-process for this cluster (default true; false when one runs in the cluster). */
  relay: z.boolean().default(true),
  /** How Strata moves the cluster's pools (default: detected when first reached, docs/operations.md). */
  driver: z.enum(['mco', 'agent']).optional(),
});

/** The `--config` file of `strata start`. */
export const StartConfigSchema = z.strictObject({
  /** Real clusters, each from a kubeconfig context. */
  clusters: z.array(ConfigClusterSchema).default([]),
  /** Registry credentials, the document of docs/ingress.md (`registries: { host: {...} }`). */
  registries: z.record(z.string(), z.unknown()).default({}),
  /** Image tracks (the track-file shape, docs/ingress.md). */
  tracks: z.array(z.unknown()).default([]),
  /** Registry webhook configuration (docs/ingress.md); when given, `POST /hooks/{provider}[/{token}]` is served. */
  webhooks: z.unknown().optional(),
});

/** A validated configuration, paths resolved. */
export interface StartConfig {
  file: string;
  clusters: (z.infer<typeof ConfigClusterSchema> & { kubeconfigPath: string })[];
  registries: Record<string, unknown>;
  tracks: Track[];
  webhooks?: WebhookConfig;
}

/**
 * Reads and validates a `strata start --config` file (YAML or JSON).
 * @throws StartConfigError naming the file and the field.
 */
export function loadStartConfig(file: string): StartConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new StartConfigError(`${file}: cannot read: ${(error as Error).message}`);
  }
  const doc = parseDocument(text);
  if (doc.errors.length > 0) throw new StartConfigError(`${file}: ${doc.errors[0]!.message}`);
  const result = StartConfigSchema.safeParse(doc.toJS() ?? {});
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const path = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
    throw new StartConfigError(`${file}: ${path.replace(/^\./, '') || '(root)'}: ${issue.message}`);
  }
  const config = result.data;
  try {
    parseCredentialsDocument({ registries: config.registries }, `${file}: registries`);
  } catch (error) {
    throw new StartConfigError((error as Error).message);
  }
  const tracks = config.tracks.map((t, i) => {
    try {
      return parseTrack(t, file, `tracks[${i}]`);
    } catch (error) {
      throw new StartConfigError((error as Error).message);
    }
  });
  let webhooks: WebhookConfig | undefined;
  if (config.webhooks !== undefined) {
    try {
      webhooks = parseWebhookConfig(config.webhooks, `${file}: webhooks`);
    } catch (error) {
      throw new StartConfigError((error as Error).message);
    }
  }
  const base = dirname(resolve(file));
  const defaultKubeconfig = process.env.KUBECONFIG ?? resolve(process.env.HOME ?? '.', '.kube/config');
  const names = new Set<string>();
  const clusters = config.clusters.map((c, i) => {
    if (names.has(c.name))
      throw new StartConfigError(`${file}: clusters[${i}].name: "${c.name}" is listed twice`);
    names.add(c.name);
    return { ...c, kubeconfigPath: c.kubeconfig ? resolve(base, c.kubeconfig) : defaultKubeconfig };
  });
  return { file, clusters, registries: config.registries, tracks, ...(webhooks ? { webhooks } : {}) };
}

/** Options of {@link startStrata}. */
export interface StartStrataOptions {
  /** Run a simulated fleet from this scenario (path or object); default: the default scenario when no real cluster is configured. */
  scenario?: string | Scenario;
  /** Do not run a simulated fleet. */
  simulate?: boolean;
  config?: StartConfig;
  /** HTTP port of the admin API (0: a free one). */
  port?: number;
  /** Bind address and token rules of the admin API and webhooks (local/local-access.ts). */
  access?: Omit<LocalAccessOptions, 'dataDir'>;
  dataDir?: string;
  /** Run a build pass of every track with a build definition this often (buildah, as root); off when absent. */
  buildIntervalSeconds?: number;
  /** Simulated time per wall time; default 100 (a rebase of the default scenario takes about a second). */
  timeScale?: number;
  timelineFile?: string;
  /** Resync tick interval (default 10 s locally). */
  resyncIntervalSeconds?: number;
  /** Warnings (failed batches, relay restarts, image-push warnings): one line each. */
  onWarning?: (line: string) => void;
}

/** A running Strata. */
export interface RunningStrata {
  /** Base URL of the admin API (`<url>/v1/...`). */
  url: string;
  runtime: Runtime;
  fleet: Fleet | null;
  /** Registered cluster ids. */
  clusters: string[];
  /** The admin API's access token, where it is kept, and whether it is required. */
  access: PublishedAccess;
  /** Stops relays, runtime and simulator. Idempotent. */
  stop(): Promise<void>;
}

/** Default time scale of the simulated fleet under `strata start`. */
export const DEFAULT_TIME_SCALE = 100;

/** The demo's track: a canary wave (env=dev), then the rest three clusters at a time, a short soak between. */
export const DEMO_TRACK: Track = parseTrack(
  {
    name: 'demo',
    image: 'quay.io/strata/rhcos-layered:demo',
    targets: { clusterSelector: {}, pools: ['worker', 'infra'] },
    strategy: {
      waves: [{ name: 'canary', clusterSelector: { matchLabels: { env: 'dev' } } }],
      maxConcurrentClusters: 3,
      soakSeconds: 2,
      onFailure: 'halt',
    },
  },
  'demo',
);

/**
 * The demo image: a fixed tag and a deterministic digest (sha256 of a label, not of any real manifest).
 * It is declared through `publish`, never resolved from a registry: there is none in the demo.
 */
export const DEMO_IMAGE = {
  reference: 'quay.io/strata/rhcos-layered:demo',
  digest: `sha256:${createHash('sha256').update('strata demo image (declared digest, no registry)').digest('hex')}`,
};

/**
 * Every node of the demo track's pools on the simulated fleet runs `image`, reports Done and is
 * schedulable: by MCO's annotations, or on clusters running the Strata agent by the agent's (and then
 * without any MCO annotation).
 */
export function demoConverged(fleet: Fleet, image: string): boolean {
  return fleet.clusters.every((c) => {
    const agent = fleet.scenario.clusters.find((s) => s.name === c.name)?.nodeBehaviour === 'strata-agent';
    return c.state.nodes
      .list()
      .filter((n) => DEMO_TRACK.targets.pools.includes(n.pool))
      .every((n) => {
        const a = n.annotations;
        if (n.unschedulable) return false;
        // On clusters running MCO nodes carry no image annotation: what the host booted says it.
        if (!agent && c.state.mcoControllers)
          return c.state.bootedImage(n.name) === image && a[NodeAnnotations.state] === 'Done';
        if (!agent) return a[NodeAnnotations.currentImage] === image && a[NodeAnnotations.state] === 'Done';
        return (
          a[AgentAnnotations.currentImage] === image &&
          a[AgentAnnotations.state] === 'Done' &&
          Object.values(NodeAnnotations).every((k) => a[k] === undefined)
        );
      });
  });
}

/** A tag resolver that answers declared digests first and asks the registry for every other tag. */
export function declaredDigestResolver(registry: TagResolver): {
  resolver: TagResolver;
  declare(image: { host: string; repository: string; tag: string }, digest: string): void;
} {
  const declared = new Map<string, string>();
  return {
    resolver: {
      async resolveTag(image) {
        const digest = declared.get(followedImageKey(image));
        return digest ? { digest, mediaType: null } : registry.resolveTag(image);
      },
    },
    declare: (image, digest) => {
      declared.set(followedImageKey(image), digest);
    },
  };
}

function simPools(scenario: Scenario, cluster: string): ClusterRegistration['pools'] {
  const spec = scenario.clusters.find((c) => c.name === cluster)!;
  return spec.pools.map((p) => ({
    name: p.name,
    nodeSelector: (p.nodeSelector ?? { [`node-role.kubernetes.io/${p.name}`]: '' }) as Record<string, string>,
    ...(p.maxUnavailable !== undefined ? { maxUnavailable: p.maxUnavailable as number | `${number}%` } : {}),
  }));
}

function kubeconfigCluster(c: StartConfig['clusters'][number], file: string, index: number) {
  const kc = new KubeConfig();
  try {
    kc.loadFromFile(c.kubeconfigPath);
    if (c.context) kc.setCurrentContext(c.context);
  } catch (error) {
    throw new StartConfigError(
      `${file}: clusters[${index}].kubeconfig: ${c.kubeconfigPath}: ${(error as Error).message}`,
    );
  }
  if (c.context && !kc.getContexts().some((x) => x.name === c.context)) {
    throw new StartConfigError(
      `${file}: clusters[${index}].context: no context "${c.context}" in ${c.kubeconfigPath}`,
    );
  }
  const server = kc.getCurrentCluster();
  if (!server) {
    throw new StartConfigError(
      `${file}: clusters[${index}].context: the context names no cluster in ${c.kubeconfigPath}`,
    );
  }
  return { kc, server };
}

/** Starts Strata on this machine. On a failure while starting, what started is stopped again. */
export async function startStrata(options: StartStrataOptions = {}): Promise<RunningStrata> {
  const warn = options.onWarning ?? ((line: string) => process.stderr.write(`${line}\n`));
  const access = prepareLocalAccess({ ...options.access, dataDir: options.dataDir });
  const config = options.config;
  const simulate =
    options.simulate ?? (options.scenario !== undefined || (config?.clusters.length ?? 0) === 0);
  const scenario = simulate
    ? typeof options.scenario === 'object'
      ? options.scenario
      : loadScenario(options.scenario)
    : null;
  // Real clusters are checked before anything starts.
  const real = (config?.clusters ?? []).map((c, i) => ({
    spec: c,
    ...kubeconfigCluster(c, config!.file, i),
  }));
  if (scenario && real.some((r) => scenario.clusters.some((s) => s.name === r.spec.name))) {
    throw new StartConfigError(`${config!.file}: clusters: a name is used by the simulated fleet too`);
  }

  const fleet = scenario
    ? await startFleet(scenario, {
        timeScale: options.timeScale ?? DEFAULT_TIME_SCALE,
        ...(options.timelineFile ? { timelineFile: options.timelineFile } : {}),
      })
    : null;
  const tokens: Record<string, string> = {};
  const registrations: ClusterRegistration[] = [];
  const relayTargets: { id: string; kubeConfig: KubeConfig }[] = [];
  for (const c of fleet?.clusters ?? []) {
    tokens[`sim/${c.name}`] = c.token;
    registrations.push({
      id: c.name,
      endpoint: c.server,
      caData: c.caData,
      credentials: { kind: 'token-secret', secretName: `sim/${c.name}` },
      labels: c.labels,
      pools: simPools(scenario!, c.name),
    });
    relayTargets.push({ id: c.name, kubeConfig: c.kubeConfig() });
  }
  for (const r of real) {
    registrations.push({
      id: r.spec.name,
      endpoint: r.server.server,
      ...(r.server.caData ? { caData: r.server.caData } : {}),
      credentials: {
        kind: 'kubeconfig',
        path: r.spec.kubeconfigPath,
        ...(r.spec.context ? { context: r.spec.context } : {}),
      },
      labels: r.spec.labels,
      pools: r.spec.pools.map((p) =>
        typeof p === 'string'
          ? { name: p, nodeSelector: { [`node-role.kubernetes.io/${p}`]: '' } }
          : {
              name: p.name,
              nodeSelector: p.nodeSelector ?? { [`node-role.kubernetes.io/${p.name}`]: '' },
              ...(p.maxUnavailable !== undefined ? { maxUnavailable: p.maxUnavailable } : {}),
            },
      ),
      ...(r.spec.windows ? { windows: r.spec.windows } : {}),
      ...(r.spec.driver ? { driver: r.spec.driver } : {}),
    });
    if (r.spec.relay) relayTargets.push({ id: r.spec.name, kubeConfig: r.kc });
  }

  const registryCredentials = staticCredentials({ registries: (config?.registries ?? {}) as never });
  const declared = declaredDigestResolver(createTagResolver(registryCredentials));
  const wiring: LocalWiringOptions = {
    tokens,
    registryCredentials,
    resolver: declared.resolver,
    declareDigest: declared.declare,
    ...(config?.webhooks ? { webhooks: config.webhooks } : {}),
    onWarning: warn,
  };

  const registration: RuntimeService = {
    name: 'registration',
    async start(ctx) {
      for (const r of registrations) {
        if (await ctx.stores.clusters.registerClusterWithPools(r)) continue;
        // Kept from an earlier run (--data-dir): simulated clusters listen on new ports each start, and a
        // config file may have changed; the registration follows what this run was given.
        const old = await ctx.stores.clusters.getCluster(r.id);
        if (
          old &&
          (JSON.stringify([old.endpoint, old.caData, old.credentials, old.labels, old.windows]) !==
            JSON.stringify([r.endpoint, r.caData, r.credentials, r.labels, r.windows]) ||
            (r.driver !== undefined && r.driver !== old.driver))
        ) {
          await ctx.stores.clusters.updateCluster({ ...old, ...r }, old.version);
        }
      }
      // Each cluster's driver is detected (and recorded) now; one not reachable yet, when first reached.
      const connector = createClusterConnector(ctx.store, createCredentialsResolver(staticTokens(tokens)));
      await Promise.all(registrations.map((r) => connector.connect(r.id).catch(() => undefined)));
      for (const track of config?.tracks ?? []) {
        const existing = await ctx.stores.tracks.getTrack(track.name);
        await ctx.stores.tracks.saveTrack(track, existing?.version);
      }
      // The first reconcile of each pool records its baseline (the config every node runs).
      for (const r of registrations) {
        for (const p of r.pools) await ctx.queues.reconcile.send({ clusterId: r.id, pool: p.name });
      }
      return { stop: async () => {} };
    },
  };
  const relays: RuntimeService[] = relayTargets.map((t) => ({
    name: `relay-${t.id}`,
    async start(ctx) {
      const relay = startWatchRelay({
        clusterId: t.id,
        kubeConfig: t.kubeConfig,
        sink: ctx.queues.clusterEvent,
        onWarning: warn,
      });
      await relay.ready;
      return { stop: () => relay.stop() };
    },
  }));

  let runtime: Runtime;
  try {
    runtime = await startRuntime({
      ...(options.dataDir ? { dataDir: options.dataDir } : {}),
      port: options.port ?? 0,
      http: { host: access.host, guard: access.guard },
      resyncIntervalSeconds: options.resyncIntervalSeconds ?? 10,
      onPollerFailure: (f) =>
        warn(`${f.functionName}: ${f.error instanceof Error ? f.error.message : String(f.error)}`),
      onTickError: (e) => warn(`resync: ${String(e)}`),
      handlers: (ctx) => localHandlers(ctx, wiring),
      routes: (ctx) => localRoutes(ctx, wiring),
      services: [
        registration,
        ...relays,
        ...(options.buildIntervalSeconds
          ? [
              buildService({
                intervalSeconds: options.buildIntervalSeconds,
                tokens: wiring.tokens,
                resolver: wiring.resolver,
                ...(options.dataDir ? { dataDir: options.dataDir } : {}),
                onWarning: warn,
              }),
            ]
          : []),
      ],
    });
  } catch (error) {
    await fleet?.stop();
    throw error;
  }

  let stopping: Promise<void> | undefined;
  const url = runtime.services.http!.url!.replace(/\/+$/, '');
  let published: PublishedAccess;
  try {
    published = access.publish(url);
  } catch (error) {
    await runtime.stop().finally(() => fleet?.stop());
    throw error;
  }
  return {
    url,
    runtime,
    fleet,
    clusters: registrations.map((r) => r.id),
    access: published,
    stop: () => {
      stopping ??= (async () => {
        try {
          published.remove();
          await runtime.stop();
        } finally {
          await fleet?.stop();
        }
      })();
      return stopping;
    },
  };
}
