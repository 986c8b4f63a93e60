/**
 * The embedded runtime: the control plane of lib/control-plane.ts in one process. dynalite holds the table,
 * an embedded SQS server holds the work queues (each with a dead-letter queue), Lambda-like pollers feed the
 * queue consumers, a tick drives resync, and caller-supplied services (the HTTP front, watch relays) run on
 * top. Handlers are passed in by the caller, built from the runtime's clients, so this module knows no
 * handler file.
 */

import type { DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { SQSClient, type SQSClientConfig } from '@aws-sdk/client-sqs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SqsMessageQueue } from '../functions/adapters/queue/index.ts';
import { dynamoStores, type StoreContext } from '../functions/adapters/store/index.ts';
import type {
  CheckQueueMessage,
  ClusterEventMessage,
  ImagePushed,
  PlanRolloutMessage,
  ReconcilePoolMessage,
} from '../functions/core/messages.ts';
import type { Stores } from '../functions/core/stores.ts';
import { startLocalTable } from './dynamo.ts';
import { type CreatedQueue, startEmbeddedSqs } from './embedded-sqs.ts';
import { RuntimeConfigError } from './errors.ts';
import { type HttpRoute, startHttpFront } from './http-front.ts';
import { localCredentials } from './local-aws.ts';
import { type PollerFailure, type SqsBatchHandler, type SqsPoller, startSqsPoller } from './sqs-poller.ts';
import { type ScheduledHandler, startTick, type Tick } from './ticks.ts';
import {
  RESYNC_TICK,
  UPDATE_CHECK_TICK,
  WORK_QUEUE_NAMES,
  type WorkQueueName,
  type WorkQueueSpec,
  workQueueSpecs,
} from './work-queues.ts';

/** What handlers and services get from the runtime: clients, queues and the environment handlers read. */
export interface RuntimeContext {
  region: string;
  tableName: string;
  /** Document client on the local table. */
  doc: DynamoDBDocumentClient;
  /** `doc` and `tableName` together, as the store modules take them. */
  store: StoreContext;
  /** Every store port (core/stores.ts) on the local table. */
  stores: Stores;
  /** Configuration for further DynamoDB clients (endpoint, region, credentials). */
  dynamoConfig: DynamoDBClientConfig;
  /** SQS client on the embedded server, shared by the queue adapters. */
  sqs: SQSClient;
  /** Configuration for further SQS clients. */
  sqsConfig: SQSClientConfig;
  /** The `MessageQueue` port on each work queue. */
  queues: {
    image: SqsMessageQueue<ImagePushed>;
    plan: SqsMessageQueue<PlanRolloutMessage>;
    reconcile: SqsMessageQueue<ReconcilePoolMessage>;
    clusterEvent: SqsMessageQueue<ClusterEventMessage>;
    check: SqsMessageQueue<CheckQueueMessage>;
  };
  /** URLs and ARNs of each work queue and its dead-letter queue. */
  queueAddresses: Record<WorkQueueName, CreatedQueue>;
  /**
   * The variables the Lambda functions read (TABLE_NAME, *_QUEUE_URL) plus the AWS SDK's endpoint, region
   * and credential variables, for code that builds its clients from the environment.
   */
  environment: Record<string, string>;
  /** The HTTP port asked for (`port` option), for the HTTP front service. */
  port: number | undefined;
}

/** Handler functions, by the name of the Lambda function they stand for. Absent ones are not run. */
export interface RuntimeHandlers {
  'image-push'?: SqsBatchHandler;
  'plan-rollout'?: SqsBatchHandler;
  'pool-reconcile'?: SqsBatchHandler;
  'node-state'?: SqsBatchHandler;
  resync?: ScheduledHandler;
  /** The update check: run by its tick, and the consumer of the check queue the tick fans out on. */
  'update-check'?: SqsBatchHandler & ScheduledHandler;
}

/** Something that runs on top of the runtime (HTTP front, watch relays), started last and stopped first. */
export interface RuntimeService {
  name: string;
  start(context: RuntimeContext): Promise<StartedService>;
}

/** A started service. */
export interface StartedService {
  /** Where it listens, if it does (shown to the user). */
  url?: string;
  stop(): Promise<void>;
}

/** Per-queue changes to the stack's settings (tests use short visibility timeouts). */
export type QueueOverrides = Partial<
  Record<
    WorkQueueName,
    Partial<Pick<WorkQueueSpec, 'visibilityTimeoutSeconds' | 'maxReceiveCount'>> &
      Partial<Pick<WorkQueueSpec['consumer'], 'batchSize' | 'maxBatchingWindowSeconds' | 'maxConcurrency'>>
  >
>;

/** Options of `startRuntime`. */
export interface RuntimeOptions {
  /** Directory that keeps the table across restarts; in memory when absent. */
  dataDir?: string;
  /** HTTP port for the HTTP front service (passed through in the context). */
  port?: number;
  /** The handlers to run, or a function building them from the runtime's clients and queues. */
  handlers: RuntimeHandlers | ((context: RuntimeContext) => RuntimeHandlers | Promise<RuntimeHandlers>);
  /**
   * HTTP routes (API Gateway route keys → handlers). When given, the HTTP front listens on 127.0.0.1:`port`
   * as the service named `http`.
   */
  routes?: HttpRoute[] | ((context: RuntimeContext) => HttpRoute[] | Promise<HttpRoute[]>);
  /** Further services to start once queues and handlers run (e.g. watch relays). */
  services?: RuntimeService[];
  tableName?: string;
  region?: string;
  /** Reconcile consumer concurrency (the stack's `maxClusterCallers`). Default 10. */
  maxClusterCallers?: number;
  /** Resync tick interval. Default 60 (the stack's default `rate(1 minute)`). */
  resyncIntervalSeconds?: number;
  /** Update-check tick interval. Default 900 (the stack's default `rate(15 minutes)`). */
  updateCheckIntervalSeconds?: number;
  queueOverrides?: QueueOverrides;
  /** Long-poll wait of the pollers, 0..20. Default 20. */
  waitTimeSeconds?: number;
  /** Also write `context.environment` into process.env (restored on stop). Default false. */
  exportEnvironment?: boolean;
  /** Stop on SIGINT/SIGTERM (handlers removed on stop). Default false. */
  stopOnSignals?: boolean;
  /** Handler failures of pollers. Default: one line on stderr each. */
  onPollerFailure?: (failure: PollerFailure) => void;
  /** Tick failures. Default: one line on stderr each. */
  onTickError?: (error: unknown) => void;
}

/** A running embedded runtime. */
export interface Runtime {
  context: RuntimeContext;
  /** Started services by name. */
  services: Record<string, StartedService>;
  /**
   * Stops everything, outside in: services (no new requests), the tick, the pollers (in-flight batches
   * finish), then the SQS server and dynalite. Idempotent.
   */
  stop(): Promise<void>;
  /** Resolves once the runtime has stopped (by `stop()` or a signal). */
  stopped: Promise<void>;
}

/** Starts the embedded runtime. On a failure while starting, whatever started is stopped again. */
export async function startRuntime(options: RuntimeOptions): Promise<Runtime> {
  const region = options.region ?? 'us-east-1';
  const tableName = options.tableName ?? 'strata';
  const specs = applyOverrides(workQueueSpecs(options.maxClusterCallers), options.queueOverrides ?? {});
  // Check what can be checked before anything starts.
  if (typeof options.handlers !== 'function') checkHandlerNames(options.handlers);
  const resyncInterval = options.resyncIntervalSeconds ?? RESYNC_TICK.intervalSeconds;
  if (!(Number.isFinite(resyncInterval) && resyncInterval > 0)) {
    throw new RuntimeConfigError(`resyncIntervalSeconds must be a positive number, got ${resyncInterval}`);
  }
  const updateCheckInterval = options.updateCheckIntervalSeconds ?? UPDATE_CHECK_TICK.intervalSeconds;
  if (!(Number.isFinite(updateCheckInterval) && updateCheckInterval > 0)) {
    throw new RuntimeConfigError(
      `updateCheckIntervalSeconds must be a positive number, got ${updateCheckInterval}`,
    );
  }
  // Stopped in reverse order of starting.
  const stack: { name: string; stop: () => Promise<void> }[] = [];
  const stopAll = async () => {
    const errors: unknown[] = [];
    while (stack.length > 0) {
      const part = stack.pop()!;
      try {
        await part.stop();
      } catch (error) {
        errors.push(new Error(`stopping ${part.name}: ${(error as Error)?.message ?? String(error)}`));
      }
    }
    if (errors.length > 0) throw new AggregateError(errors, 'the embedded runtime did not stop cleanly');
  };

  try {
    const table = await startLocalTable({ tableName, dataDir: options.dataDir, region });
    stack.push({ name: 'dynalite', stop: () => table.stop() });
    const server = await startEmbeddedSqs({ region });
    stack.push({ name: 'embedded SQS', stop: () => server.stop() });
    const sqs = new SQSClient(server.clientConfig);
    stack.push({ name: 'SQS client', stop: async () => sqs.destroy() });

    const queueAddresses = await server.createQueues(
      Object.fromEntries(
        WORK_QUEUE_NAMES.map((q) => [
          q,
          {
            name: specs[q].queueName,
            visibilityTimeoutSeconds: specs[q].visibilityTimeoutSeconds,
            maxReceiveCount: specs[q].maxReceiveCount,
          },
        ]),
      ) as Record<WorkQueueName, Parameters<typeof server.createQueues>[0][string]>,
    );
    const queue = <T>(q: WorkQueueName) =>
      new SqsMessageQueue<T>({ client: sqs, queueUrl: queueAddresses[q].url });
    const environment: Record<string, string> = {
      TABLE_NAME: tableName,
      AWS_REGION: region,
      AWS_DEFAULT_REGION: region,
      AWS_ACCESS_KEY_ID: localCredentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: localCredentials.secretAccessKey,
      AWS_ENDPOINT_URL_DYNAMODB: table.endpoint,
      AWS_ENDPOINT_URL_SQS: server.endpoint,
      ...Object.fromEntries(WORK_QUEUE_NAMES.map((q) => [specs[q].urlVariable, queueAddresses[q].url])),
    };
    const context: RuntimeContext = {
      region,
      tableName,
      doc: table.doc,
      store: { doc: table.doc, tableName },
      stores: dynamoStores({ doc: table.doc, tableName }),
      dynamoConfig: table.clientConfig,
      sqs,
      sqsConfig: server.clientConfig,
      queues: {
        image: queue<ImagePushed>('image'),
        plan: queue<PlanRolloutMessage>('plan'),
        reconcile: queue<ReconcilePoolMessage>('reconcile'),
        clusterEvent: queue<ClusterEventMessage>('clusterEvent'),
        check: queue<CheckQueueMessage>('check'),
      },
      queueAddresses,
      environment,
      port: options.port,
    };
    if (options.exportEnvironment) {
      const restore = exportEnvironment(environment);
      stack.push({ name: 'environment', stop: async () => restore() });
    }

    const handlers =
      typeof options.handlers === 'function' ? await options.handlers(context) : options.handlers;
    checkHandlerNames(handlers);
    const pollers: SqsPoller[] = [];
    for (const q of WORK_QUEUE_NAMES) {
      const { consumer } = specs[q];
      const handler = handlers[consumer.name];
      if (!handler) continue;
      pollers.push(
        startSqsPoller({
          client: sqs,
          queueUrl: queueAddresses[q].url,
          queueArn: queueAddresses[q].arn,
          handler,
          functionName: consumer.name,
          functionTimeoutSeconds: consumer.timeoutSeconds,
          batchSize: consumer.batchSize,
          maxBatchingWindowSeconds: consumer.maxBatchingWindowSeconds,
          maxConcurrency: consumer.maxConcurrency,
          waitTimeSeconds: options.waitTimeSeconds,
          onFailure: options.onPollerFailure,
        }),
      );
    }
    stack.push({ name: 'pollers', stop: async () => void (await Promise.all(pollers.map((p) => p.stop()))) });

    let tick: Tick | undefined;
    if (handlers.resync) {
      tick = startTick({
        name: RESYNC_TICK.name,
        functionName: RESYNC_TICK.functionName,
        intervalSeconds: resyncInterval,
        functionTimeoutSeconds: RESYNC_TICK.timeoutSeconds,
        handler: handlers.resync,
        region,
        onError: options.onTickError,
      });
      const started = tick;
      stack.push({ name: 'resync tick', stop: () => started.stop() });
    }
    const updateCheck = handlers['update-check'];
    if (updateCheck) {
      const started = startTick({
        name: UPDATE_CHECK_TICK.name,
        functionName: UPDATE_CHECK_TICK.functionName,
        intervalSeconds: updateCheckInterval,
        functionTimeoutSeconds: UPDATE_CHECK_TICK.timeoutSeconds,
        handler: updateCheck,
        region,
        onError: options.onTickError,
      });
      stack.push({ name: 'update-check tick', stop: () => started.stop() });
    }

    const services: Record<string, StartedService> = {};
    const all = [...(options.routes ? [httpService(options.routes)] : []), ...(options.services ?? [])];
    for (const service of all) {
      if (services[service.name]) throw new RuntimeConfigError(`service "${service.name}" is listed twice`);
      const started = await service.start(context);
      services[service.name] = started;
      stack.push({ name: `service ${service.name}`, stop: () => started.stop() });
    }

    let resolveStopped!: () => void;
    let rejectStopped!: (error: unknown) => void;
    const stopped = new Promise<void>((ok, fail) => {
      resolveStopped = ok;
      rejectStopped = fail;
    });
    let stopping: Promise<void> | undefined;
    const stop = () => {
      stopping ??= (async () => {
        removeSignals();
        try {
          await stopAll();
          resolveStopped();
        } catch (error) {
          rejectStopped(error);
          throw error;
        }
      })();
      return stopping;
    };
    const onSignal = () => {
      stop().catch(() => undefined); // the failure is reported through `stopped`
    };
    const removeSignals = () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    };
    if (options.stopOnSignals) {
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
    }
    return { context, services, stop, stopped };
  } catch (error) {
    await stopAll().catch(() => undefined);
    throw error;
  }
}

/** The HTTP front as a service, on the runtime's `port`. */
function httpService(routes: NonNullable<RuntimeOptions['routes']>): RuntimeService {
  return {
    name: 'http',
    async start(context) {
      const list = typeof routes === 'function' ? await routes(context) : routes;
      const front = await startHttpFront({ routes: list, port: context.port ?? 0 });
      return { url: front.url, stop: () => front.close() };
    },
  };
}

const HANDLER_NAMES = new Set<string>([
  'image-push',
  'plan-rollout',
  'pool-reconcile',
  'node-state',
  'resync',
  'update-check',
]);

function checkHandlerNames(handlers: RuntimeHandlers): void {
  for (const [name, fn] of Object.entries(handlers)) {
    if (!HANDLER_NAMES.has(name)) {
      throw new RuntimeConfigError(
        `handlers.${name}: no such queue consumer or tick (expected one of ${[...HANDLER_NAMES].join(', ')})`,
      );
    }
    if (fn !== undefined && typeof fn !== 'function') {
      throw new RuntimeConfigError(`handlers.${name}: must be a function, got ${typeof fn}`);
    }
  }
}

function applyOverrides(
  specs: Record<WorkQueueName, WorkQueueSpec>,
  overrides: QueueOverrides,
): Record<WorkQueueName, WorkQueueSpec> {
  for (const key of Object.keys(overrides)) {
    if (!(WORK_QUEUE_NAMES as readonly string[]).includes(key)) {
      throw new RuntimeConfigError(
        `queueOverrides.${key}: no such work queue (${WORK_QUEUE_NAMES.join(', ')})`,
      );
    }
  }
  const out = { ...specs };
  for (const q of WORK_QUEUE_NAMES) {
    const o = overrides[q];
    if (!o) continue;
    const { visibilityTimeoutSeconds, maxReceiveCount, ...consumer } = o;
    out[q] = {
      ...specs[q],
      ...(visibilityTimeoutSeconds !== undefined ? { visibilityTimeoutSeconds } : {}),
      ...(maxReceiveCount !== undefined ? { maxReceiveCount } : {}),
      consumer: { ...specs[q].consumer, ...definedOnly(consumer) },
    };
  }
  return out;
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Sets the variables in process.env; the returned function puts the previous values back. */
function exportEnvironment(environment: Record<string, string>): () => void {
  const previous = new Map<string, string | undefined>();
  for (const [name, value] of Object.entries(environment)) {
    previous.set(name, process.env[name]);
    process.env[name] = value;
  }
  return () => {
    for (const [name, value] of previous) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
}
