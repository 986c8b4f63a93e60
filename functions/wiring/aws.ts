/**
 * The AWS wiring: every dependency the Lambda entry points use, built from the environment the stack sets
 * (lib/control-plane.ts) on first use and shared within the process: one document client, one SQS client,
 * one cluster connector (and its connection pools), one registry client. Each entry point's `handler` takes
 * what it uses; the bundler keeps only that (functions/package.json: no module here has import-time side
 * effects), so an ingress function never carries the Kubernetes client.
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Context } from 'aws-lambda';
import { createClusterConnector } from '../adapters/cluster/connector.ts';
import { createCredentialsResolver } from '../adapters/cluster/credentials.ts';
import { createClusterProbe } from '../adapters/cluster/probe.ts';
import { EventBridgePublisher } from '../adapters/events/eventbridge.ts';
import { loadWebhookConfig } from '../adapters/ingress/webhook-config.ts';
import { createLogger, powertoolsLog, withLambdaContext } from '../adapters/lambda/logger.ts';
import { cloudWatchRolloutMetrics } from '../adapters/lambda/metrics.ts';
import { SqsMessageQueue } from '../adapters/queue/sqs-queue.ts';
import { createCheckRegistry } from '../adapters/registry/check-registry.ts';
import {
  fileCredentials,
  type RegistryCredentials,
  secretsManagerCredentials,
  staticCredentials,
} from '../adapters/registry/credentials.ts';
import { createTagResolver } from '../adapters/registry/resolver.ts';
import { clusterTokensFromEnvironment } from '../adapters/secrets/index.ts';
import { checkStore } from '../adapters/store/checks.ts';
import { createClusterCache } from '../adapters/store/clusters.ts';
import { dynamoStores, type StoreContext } from '../adapters/store/index.ts';
import { createRolloutStore } from '../adapters/store/rollouts.ts';
import { createDocumentClient } from '../adapters/store/table.ts';
import { deliveryClaims, pushClaims, trackStore } from '../adapters/store/tracks.ts';
import type {
  CheckQueueMessage,
  ImagePushed,
  PlanRolloutMessage,
  ReconcilePoolMessage,
} from '../core/messages.ts';
import type { CheckTrigger, Log, MessageQueue } from '../core/ports.ts';
import { runCheckTick } from '../handlers/update-check/tick.ts';

/**
 * Builds a value on first use and keeps it for the life of the process (a warm Lambda reuses it). Calls
 * are marked pure so that the bundler drops the dependencies an entry point does not use.
 */
function once<T>(build: () => T): () => T {
  let built: { value: T } | undefined;
  return () => {
    built ??= { value: build() };
    return built.value;
  };
}

/** A variable the stack sets; its absence is a deployment error, reported on the first invocation. */
export function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
}

/** The table (TABLE_NAME). */
export const store = /* @__PURE__ */ once(
  (): StoreContext => ({ doc: createDocumentClient(), tableName: requireEnv('TABLE_NAME') }),
);

/** Every store port on the table. */
export const stores = /* @__PURE__ */ once(() => dynamoStores(store()));

/** Webhook delivery claims on the table (the ingress functions need no other store). */
export const deliveries = /* @__PURE__ */ once(() => deliveryClaims(store()));

/**
 * Replay protection of ECR events: delivery claims on ECR_REPLAY_TABLE_NAME (optional: image-push
 * de-duplicates repeated pushes anyway; this only saves their resolution).
 */
export const ecrDeliveries = /* @__PURE__ */ once(() => {
  const tableName = process.env.ECR_REPLAY_TABLE_NAME;
  return tableName ? deliveryClaims({ doc: createDocumentClient(), tableName }) : undefined;
});

/** Accounts whose ECR events are accepted (ECR_ALLOWED_ACCOUNTS, comma separated; all when unset). */
export function ecrAllowedAccounts(): string[] | undefined {
  const accounts = process.env.ECR_ALLOWED_ACCOUNTS?.split(',')
    .map((a) => a.trim())
    .filter(Boolean);
  return accounts && accounts.length > 0 ? accounts : undefined;
}

const sqs = /* @__PURE__ */ once(() => new SQSClient({}));

interface QueueMessages {
  image: ImagePushed;
  plan: PlanRolloutMessage;
  reconcile: ReconcilePoolMessage;
  check: CheckQueueMessage;
}

const QUEUE_URL_VARIABLES: Record<keyof QueueMessages, string> = {
  image: 'IMAGE_QUEUE_URL',
  plan: 'PLAN_QUEUE_URL',
  reconcile: 'RECONCILE_QUEUE_URL',
  check: 'CHECK_QUEUE_URL',
};

const queues = new Map<string, MessageQueue<unknown>>();

/** A work queue (its URL from IMAGE_QUEUE_URL, PLAN_QUEUE_URL, RECONCILE_QUEUE_URL or CHECK_QUEUE_URL). */
export function queue<K extends keyof QueueMessages>(name: K): MessageQueue<QueueMessages[K]> {
  let q = queues.get(name);
  if (!q) {
    q = new SqsMessageQueue({ client: sqs(), queueUrl: requireEnv(QUEUE_URL_VARIABLES[name]) });
    queues.set(name, q);
  }
  return q as MessageQueue<QueueMessages[K]>;
}

/**
 * Registered clusters' APIs: cluster tokens from Secrets Manager (`strata/clusters/<id>`), or from
 * CLUSTER_TOKENS (JSON name → token) when set (local runs and tests).
 */
export const clusters = /* @__PURE__ */ once(() =>
  createClusterConnector(store(), createCredentialsResolver(clusterTokensFromEnvironment())),
);

/** Probes of clusters' APIs (registration checks, health), with the same credentials. */
export const clusterProbe = /* @__PURE__ */ once(() =>
  createClusterProbe(createCredentialsResolver(clusterTokensFromEnvironment())),
);

/** Cluster registrations cached for 30 s (node-state maps every cluster event through them). */
export const clusterRegistrations = /* @__PURE__ */ once(() => createClusterCache(store(), 30));

/**
 * Strata's registry credentials: the secret REGISTRY_CREDENTIALS_SECRET_ID, or the file
 * REGISTRY_CREDENTIALS_FILE; anonymous pulls when neither is set.
 */
export const registryCredentials = /* @__PURE__ */ once((): RegistryCredentials => {
  if (process.env.REGISTRY_CREDENTIALS_SECRET_ID) {
    return secretsManagerCredentials(process.env.REGISTRY_CREDENTIALS_SECRET_ID);
  }
  if (process.env.REGISTRY_CREDENTIALS_FILE) return fileCredentials(process.env.REGISTRY_CREDENTIALS_FILE);
  return staticCredentials({ registries: {} });
});

/** Tag → digest, for image-push. */
export const tagResolver = /* @__PURE__ */ once(() => createTagResolver(registryCredentials()));

/** The update check's registry parts, paced at REGISTRY_RATE_PER_SECOND (default 10) per host. */
export const checkRegistry = /* @__PURE__ */ once(() => {
  const rate = Number(process.env.REGISTRY_RATE_PER_SECOND ?? '10');
  return createCheckRegistry(registryCredentials(), { ratePerSecond: rate > 0 ? rate : 10 });
});

/** BaseImageUpdated to EventBridge (EVENT_BUS_NAME, default `default`). */
export const publisher = /* @__PURE__ */ once(
  () =>
    new EventBridgePublisher({
      client: new EventBridgeClient({}),
      busName: process.env.EVENT_BUS_NAME ?? 'default',
    }),
);

/** The webhook configuration (a secret, or WEBHOOK_CONFIG). */
export const webhookConfig = /* @__PURE__ */ once(() => loadWebhookConfig());

/** `Strata/RolloutHalted`, for the halted-rollout alarm. */
export const rolloutMetrics = /* @__PURE__ */ once(() =>
  cloudWatchRolloutMetrics({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'strata-plan-rollout' }),
);

/** The update check's tick, run on demand (admin's `POST /v1/checks`); absent without CHECK_QUEUE_URL. */
export function checkTrigger(log: Log): CheckTrigger | undefined {
  if (!process.env.CHECK_QUEUE_URL) return undefined;
  return {
    run: (only) =>
      runCheckTick({ stores: stores(), checkQueue: queue('check'), clusters: clusters(), log }, only),
  };
}

/*
 * Each handler's dependencies. The types are the handlers' own (checked where the entry point passes them
 * on); built here so that every entry point is a few lines.
 */

export const poolReconcileDeps = (log: Log) => ({
  stores: stores(),
  clusters: clusters(),
  reconcileQueue: queue('reconcile'),
  planQueue: queue('plan'),
  log,
});

export const planRolloutDeps = (log: Log) => ({ ...poolReconcileDeps(log), metrics: rolloutMetrics() });

export const nodeStateDeps = (log: Log) => ({
  stores: stores(),
  registrations: clusterRegistrations(),
  reconcileQueue: queue('reconcile'),
  log,
});

export const resyncDeps = (log: Log) => ({
  stores: stores(),
  planQueue: queue('plan'),
  reconcileQueue: queue('reconcile'),
  log,
});

export const imagePushDeps = (log: Log) => ({
  stores: {
    tracks: trackStore(store()),
    rollouts: createRolloutStore(store()),
    pushes: pushClaims(store()),
    checks: checkStore(store()),
  },
  resolver: tagResolver(),
  planQueue: queue('plan'),
  log,
});

export const webhookDeps = async (log: Log) => ({
  config: await webhookConfig(),
  imageQueue: queue('image'),
  deliveries: deliveries(),
  log,
});

export const ecrEventDeps = (log: Log) => ({
  imageQueue: queue('image'),
  deliveries: ecrDeliveries(),
  allowedAccounts: ecrAllowedAccounts(),
  log,
});

/** The update check (BASE_IMAGE_LABEL: the image-config label naming the base, optional). */
export const updateCheckDeps = (log: Log) => ({
  stores: stores(),
  ...checkRegistry(),
  imageQueue: queue('image'),
  checkQueue: queue('check'),
  publisher: publisher(),
  clusters: clusters(),
  ...(process.env.BASE_IMAGE_LABEL ? { baseImageLabel: process.env.BASE_IMAGE_LABEL } : {}),
  log,
});

/** CodeBuild state changes: the build items, and the registry to read a pushed tag's digest. */
export const buildEventDeps = (log: Log) => ({
  stores: { builds: stores().builds },
  resolver: tagResolver(),
  log,
});

export const adminDeps = (log: Log) => ({
  stores: stores(),
  imageQueue: queue('image'),
  planQueue: queue('plan'),
  reconcileQueue: queue('reconcile'),
  clusters: clusters(),
  probe: clusterProbe(),
  resolver: tagResolver(),
  checks: checkTrigger(log),
  log,
});

/**
 * A Lambda entry point: `build` makes the handler on the first invocation (so a missing variable fails that
 * invocation with its name), with a Powertools logger for the function (`strata-<name>`); each invocation
 * adds its Lambda context to the log lines.
 */
export function lambdaHandler<E, R>(
  name: string,
  build: (
    log: Log,
  ) => ((event: E, context: Context) => Promise<R>) | Promise<(event: E, context: Context) => Promise<R>>,
): (event: E, context: Context) => Promise<R> {
  const logger = createLogger(process.env.POWERTOOLS_SERVICE_NAME ?? `strata-${name}`);
  let built: Promise<(event: E, context: Context) => Promise<R>> | undefined;
  return async (event, context) => {
    withLambdaContext(logger, context);
    if (!built) {
      const building = Promise.resolve().then(() => build(powertoolsLog(logger)));
      // A failed build (a missing variable, an unreadable secret) is tried again on the next invocation.
      building.catch(() => {
        if (built === building) built = undefined;
      });
      built = building;
    }
    return (await built)(event, context);
  };
}
