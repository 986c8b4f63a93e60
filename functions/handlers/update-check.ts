/**
 * Update checks, run by a schedule (EventBridge Scheduler on AWS, a tick locally). One Lambda function with
 * two entry shapes:
 * - the tick (a ScheduledEvent) fans out one check-queue message per track and one per registered cluster,
 *   so a slow registry or cluster delays only its own checks;
 * - the check-queue consumer (an SQSEvent) checks one track (re-resolve the tag: a new digest goes to the
 *   image queue as an `update-check` push, the same idempotent path a webhook takes; read the image's base
 *   and re-resolve the base's tag: a moved base marks the track stale and publishes one BaseImageUpdated
 *   per (track, base digest)) or one cluster (drift findings).
 */
import { randomUUID } from 'node:crypto';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Context, ScheduledEvent, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { ClusterConnector } from '../adapters/cluster/connector.ts';
import { createClusterConnector } from '../adapters/cluster/connector.ts';
import { createCredentialsResolver } from '../adapters/cluster/credentials.ts';
import { EventBridgePublisher } from '../adapters/events/eventbridge.ts';
import type { EventPublisher } from '../adapters/events/publisher.ts';
import { SqsMessageQueue } from '../adapters/queue/index.ts';
import {
  fileCredentials,
  type RegistryCredentials,
  secretsManagerCredentials,
  staticCredentials,
} from '../adapters/registry/credentials.ts';
import { RegistryError } from '../adapters/registry/errors.ts';
import { createImageMetadataReader, type ImageMetadataReader } from '../adapters/registry/manifest.ts';
import { type CycleResolver, cycleMemo } from '../adapters/registry/memo.ts';
import { OciRegistryClient, type TagResolver } from '../adapters/registry/oci-client.ts';
import { conditionalFetch, pacedFetch } from '../adapters/registry/pacing.ts';
import { createTagResolver } from '../adapters/registry/resolver.ts';
import type { RetryPolicy } from '../adapters/registry/retry.ts';
import { clusterTokensFromEnvironment } from '../adapters/secrets/index.ts';
import {
  deleteTrackCheck,
  getTrackCheck,
  listTrackChecks,
  logBaseEvent,
  markBaseEventPublished,
  replaceClusterDrift,
  saveTrackCheck,
} from '../adapters/store/checks.ts';
import { listClusters } from '../adapters/store/clusters.ts';
import type { StoreContext } from '../adapters/store/context.ts';
import { listClusterPools } from '../adapters/store/pools.ts';
import { getRollout, listRolloutsByTrack } from '../adapters/store/rollouts.ts';
import { createDocumentClient } from '../adapters/store/table.ts';
import { getTrack, listTracks } from '../adapters/store/tracks.ts';
import { baseImageOf } from '../core/checks/base-image.ts';
import {
  type ClusterRenderedConfig,
  clusterDrift,
  type DriftFinding,
  type DriftPool,
} from '../core/checks/drift.ts';
import { BaseReferenceError } from '../core/checks/errors.ts';
import { baseImageUpdatedEvent } from '../core/checks/events.ts';
import { assessBase } from '../core/checks/staleness.ts';
import { emptyCheck, type TrackCheck } from '../core/checks/track-check.ts';
import { taggedReference } from '../core/ingress/reference.ts';
import { type CheckQueueMessage, CheckQueueMessageSchema, parseMessage } from '../core/messages.ts';
import type { ImagePushed, Track } from '../core/model.ts';
import type { MessageQueue } from '../core/ports.ts';
import { renderedName } from '../core/render/name.ts';
import type { YamlValue } from '../core/render/yamlv2/index.ts';
import { isTerminal } from '../core/rollout/index.ts';
import { processSqsBatch } from './sqs-batch.ts';

/** What the update check needs. */
export interface UpdateCheckDeps {
  store: StoreContext;
  /** Resolves the tracks' tags (paced per host, conditional HEADs: see createCheckRegistry). */
  resolver: TagResolver;
  /** Resolves base tags; many tracks share a base, so answers are shared per cycle. Default `cycleMemo(resolver)`. */
  baseResolver?: CycleResolver;
  metadata: ImageMetadataReader;
  /** Where a moved tag goes: the image queue, as an `ImagePushed` with source `update-check`. */
  imageQueue: MessageQueue<ImagePushed>;
  checkQueue: MessageQueue<CheckQueueMessage>;
  publisher: EventPublisher;
  /** Cluster access for drift checks; without it the tick fans out no drift checks. */
  clusters?: ClusterConnector;
  /** An image-config label naming the base (`repo:tag[@digest]`), read when the annotations say nothing. */
  baseImageLabel?: string;
  now?: () => Date;
  log?: (line: Record<string, unknown>) => void;
}

/** What the fan-out needs (the admin API's `POST /v1/checks` runs it too). */
export type CheckTickDeps = Pick<UpdateCheckDeps, 'store' | 'checkQueue' | 'clusters' | 'now' | 'log'>;

/** What one tick sent. */
export interface TickOutcome {
  cycle: string;
  tracks: string[];
  clusters: string[];
  /** Check items of tracks that no longer exist, deleted. */
  forgotten: string[];
}

/** What one track check found. */
export type TrackCheckOutcome =
  | { outcome: 'gone'; track: string }
  | { outcome: 'failed'; track: string; error: string }
  | {
      outcome: 'checked';
      track: string;
      digest: string;
      /** The digest moved since the last check (or since the last rollout): an update-check push was sent. */
      moved: boolean;
      stale: boolean;
      /** The id of a BaseImageUpdated published by this check, if one was. */
      published: string | null;
    };

/** What one drift check found. */
export type DriftCheckOutcome =
  | { outcome: 'drift'; clusterId: string; findings: number }
  | { outcome: 'drift-failed'; clusterId: string; error: string };

const SEND_CONCURRENCY = 16;

async function forEachLimited<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/**
 * The tick: one check message per track (all, or the ones named) and one drift message per cluster.
 * Also forgets the check items of deleted tracks.
 */
export async function runCheckTick(
  deps: CheckTickDeps,
  only?: { tracks?: string[]; drift?: boolean },
): Promise<TickOutcome> {
  const cycle = `${(deps.now ?? (() => new Date()))().toISOString()}-${randomUUID().slice(0, 8)}`;
  const all = await listTracks(deps.store);
  const names = new Set(all.map((t) => t.name));
  const tracks = only?.tracks ? all.filter((t) => only.tracks!.includes(t.name)) : all;
  await forEachLimited(tracks, SEND_CONCURRENCY, (t) =>
    deps.checkQueue.send({ kind: 'track', track: t.name, cycle }),
  );
  const forgotten: string[] = [];
  if (!only?.tracks) {
    for (const check of await listTrackChecks(deps.store)) {
      if (names.has(check.track)) continue;
      await deleteTrackCheck(deps.store, check.track);
      forgotten.push(check.track);
    }
  }
  const clusters: string[] = [];
  if (deps.clusters && (only?.drift ?? !only?.tracks)) {
    for (const c of await listClusters(deps.store)) clusters.push(c.id);
    await forEachLimited(clusters, SEND_CONCURRENCY, (clusterId) =>
      deps.checkQueue.send({ kind: 'drift', clusterId, cycle }),
    );
  }
  (deps.log ?? defaultLog)({
    level: 'INFO',
    message: 'update check fanned out',
    cycle,
    tracks: tracks.length,
    clusters: clusters.length,
    forgotten,
  });
  return { cycle, tracks: tracks.map((t) => t.name), clusters, forgotten };
}

function defaultLog(line: Record<string, unknown>): void {
  console.log(JSON.stringify(line));
}

/** The digest of the track's newest rollout: what the fleet was last asked to run. */
async function lastRolledOutDigest(store: StoreContext, track: string): Promise<string | null> {
  const rollouts = await listRolloutsByTrack(store, track);
  if (rollouts.length === 0) return null;
  const newest = rollouts.reduce((a, b) => (b.createdAt > a.createdAt ? b : a));
  return newest.image.digest;
}

/**
 * Checks one track. Registry failures (after the client's own retries with backoff) are recorded on the
 * track and do not fail the message: the next cycle is the retry, and other tracks are not affected.
 * @throws on table or queue errors (the message is retried).
 */
export async function checkTrack(
  deps: UpdateCheckDeps,
  name: string,
  cycle: string,
): Promise<TrackCheckOutcome> {
  const log = deps.log ?? defaultLog;
  const now = (deps.now ?? (() => new Date()))().toISOString();
  const stored = await getTrack(deps.store, name);
  if (stored === null) {
    await deleteTrackCheck(deps.store, name);
    return { outcome: 'gone', track: name };
  }
  const track = stored.track;
  const previous = (await getTrackCheck(deps.store, name)) ?? emptyCheck(name);
  const check: TrackCheck = { ...previous, lastCheckedAt: now };
  let digest: string;
  try {
    digest = (await deps.resolver.resolveTag(track.image)).digest;
  } catch (error) {
    if (!(error instanceof RegistryError)) throw error;
    const failed = {
      ...check,
      lastError: error.message,
      lastErrorAt: now,
      consecutiveFailures: previous.consecutiveFailures + 1,
    };
    await saveTrackCheck(deps.store, failed);
    log({ level: 'WARN', message: 'track check failed', track: name, cycle, error: error.message });
    return { outcome: 'failed', track: name, error: error.message };
  }

  // Compare with the last digest seen; before the first check, with what the track last rolled out (a
  // push whose webhook was lost before checks began still rolls out). A track never rolled out and never
  // checked only records the digest: creating a track does not roll out what its tag already holds.
  const reference = previous.lastDigest ?? (await lastRolledOutDigest(deps.store, name));
  const moved = reference !== null && reference !== digest;
  if (moved) {
    await deps.imageQueue.send({
      source: 'update-check',
      host: track.image.host,
      repository: track.image.repository,
      tag: track.image.tag,
      digestHint: digest,
      eventId: `update-check-${cycle}`,
      receivedAt: now,
    });
    log({ level: 'INFO', message: 'tag moved', track: name, cycle, from: reference, to: digest });
  }
  Object.assign(check, {
    lastDigest: digest,
    lastDigestAt: previous.lastDigest === digest ? previous.lastDigestAt : now,
    lastError: null,
    lastErrorAt: null,
    consecutiveFailures: 0,
  });

  const published = await checkBase(deps, track, digest, check, now, cycle);
  if (!(await saveTrackCheck(deps.store, check))) {
    log({ level: 'INFO', message: 'a concurrent check of the track wrote first', track: name, cycle });
  }
  return { outcome: 'checked', track: name, digest, moved, stale: check.base?.stale ?? false, published };
}

/** Reads the image's base (once per image digest), re-resolves it, updates `check`; publishes if stale. */
async function checkBase(
  deps: UpdateCheckDeps,
  track: Track,
  digest: string,
  check: TrackCheck,
  now: string,
  cycle: string,
): Promise<string | null> {
  const log = deps.log ?? defaultLog;
  const image = taggedReference(track.image);
  // Read once per image digest (and label setting): what an image says about its base never changes.
  const baseOf = track.baseImageLabel ? `${digest}#${track.baseImageLabel}` : digest;
  if (check.baseOf !== baseOf) {
    try {
      const metadata = await deps.metadata.read({ ...track.image, digest });
      check.baseImage = baseImageOf(
        `${image}@${digest}`,
        metadata,
        track.baseImageLabel ?? deps.baseImageLabel,
      );
      check.baseOf = baseOf;
      check.baseError = null;
    } catch (error) {
      if (!(error instanceof RegistryError) && !(error instanceof BaseReferenceError)) throw error;
      check.baseError = error.message;
      check.baseImage = null;
      check.base = null;
      // A broken reference stays broken for this digest; an unavailable registry is asked again next time.
      check.baseOf = error instanceof RegistryError && error.retryable ? null : baseOf;
      return null;
    }
  }
  if (check.baseImage === null) {
    check.base = null;
    return null;
  }
  let latest: string;
  try {
    const resolver = deps.baseResolver ?? {
      resolveTag: (image: Track['image']) => deps.resolver.resolveTag(image),
    };
    latest = (await resolver.resolveTag(check.baseImage, cycle)).digest;
  } catch (error) {
    if (!(error instanceof RegistryError)) throw error;
    check.baseError = `base ${error.message}`;
    return null;
  }
  check.baseError = null;
  check.base = assessBase({
    previous: check.base,
    imageDigest: digest,
    base: check.baseImage,
    latestDigest: latest,
    now,
  });
  const event = baseImageUpdatedEvent(track.name, image, check.base, now);
  if (event === null) return null;
  const logged = await logBaseEvent(deps.store, event);
  if (logged === 'published') return null;
  try {
    await deps.publisher.publish(event);
  } catch (error) {
    check.baseError = `BaseImageUpdated not published yet: ${(error as Error).message}`;
    log({ level: 'WARN', message: 'event publish failed', track: track.name, cycle, error: check.baseError });
    return null;
  }
  await markBaseEventPublished(deps.store, event.id, now);
  log({ level: 'INFO', message: 'base image updated', track: track.name, cycle, event: event.id });
  return event.id;
}

/** Rollout states in which a rollout is moving its pools' nodes. */
function isMoving(status: string | undefined): boolean {
  return status !== undefined && !isTerminal(status as never) && status !== 'Paused' && status !== 'Halted';
}

/**
 * Checks one cluster for drift and replaces its findings (corrected ones disappear). A cluster that cannot
 * be read keeps its previous findings with the error recorded (the next cycle is the retry, as for tags).
 * @throws on table errors (the message is retried).
 */
export async function checkClusterDrift(
  deps: UpdateCheckDeps,
  clusterId: string,
  cycle: string,
): Promise<DriftCheckOutcome> {
  const log = deps.log ?? defaultLog;
  const now = (deps.now ?? (() => new Date()))().toISOString();
  let findings: DriftFinding[];
  try {
    findings = await readClusterDrift(deps, clusterId);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await replaceClusterDrift(deps.store, clusterId, { error: message }, now);
    log({ level: 'WARN', message: 'drift check failed', clusterId, cycle, error: message });
    return { outcome: 'drift-failed', clusterId, error: message };
  }
  await replaceClusterDrift(deps.store, clusterId, findings, now);
  log({ level: 'INFO', message: 'drift checked', clusterId, cycle, findings: findings.length });
  return { outcome: 'drift', clusterId, findings: findings.length };
}

/** Reads what the drift rules need from the store and the cluster, and applies them. */
async function readClusterDrift(deps: UpdateCheckDeps, clusterId: string): Promise<DriftFinding[]> {
  if (!deps.clusters) throw new Error('drift checks need cluster access (deps.clusters)');
  const { port } = await deps.clusters.connect(clusterId);
  const records = await listClusterPools(deps.store, clusterId);
  const pools: DriftPool[] = [];
  for (const p of records) {
    const rollout = p.target ? await getRollout(deps.store, p.target.rolloutId) : null;
    const slotsActive = Object.values(p.slots).some((s) => !s.failed);
    pools.push({
      name: p.pool,
      nodeSelector: p.nodeSelector,
      target: p.target ? { config: p.target.config, image: p.target.image } : null,
      lastCompleted: p.lastCompleted,
      reached: p.reached,
      moving: slotsActive || (p.target !== null && !p.reached && isMoving(rollout?.status)),
    });
  }
  const nodes = await port.listNodes();
  let machineConfigs: Parameters<typeof clusterDrift>[0]['machineConfigs'];
  if (await port.servesMachineConfigs()) {
    const paused: Record<string, { paused: boolean; byStrata: boolean }> = {};
    const rendered: Record<string, ClusterRenderedConfig> = {};
    for (const pool of pools) {
      const sources = await port.readPoolSources(pool.name);
      if (sources === null) continue;
      // The node-agent driver never pauses pools: any pause is someone else's.
      paused[pool.name] = { paused: sources.pool.spec.paused === true, byStrata: false };
      const target = pool.target?.config;
      const mc = target ? sources.machineConfigs.find((m) => m.metadata.name === target) : undefined;
      if (mc && target) {
        rendered[target] = {
          name: target,
          contentName: renderedName(pool.name, mc.spec as unknown as YamlValue),
        };
      }
    }
    machineConfigs = { paused, rendered };
  }
  return clusterDrift({ clusterId, pools, nodes, ...(machineConfigs ? { machineConfigs } : {}) });
}

/** Processes one check-queue message. Invalid messages are logged and dropped. */
export async function processCheckMessage(
  deps: UpdateCheckDeps,
  body: unknown,
): Promise<TrackCheckOutcome | DriftCheckOutcome | { outcome: 'invalid'; reason: string }> {
  const parsed = parseMessage(CheckQueueMessageSchema, body, 'check queue message');
  if (!parsed.ok) {
    const reason = parsed.reason;
    (deps.log ?? defaultLog)({ level: 'WARN', message: 'invalid check queue message dropped', reason });
    return { outcome: 'invalid', reason };
  }
  const m = parsed.message;
  return m.kind === 'track'
    ? checkTrack(deps, m.track, m.cycle)
    : checkClusterDrift(deps, m.clusterId, m.cycle);
}

/** An event the update-check function receives: the schedule's tick or a batch of the check queue. */
export type UpdateCheckEvent = ScheduledEvent | SQSEvent;

function isSqsEvent(event: UpdateCheckEvent): event is SQSEvent {
  return Array.isArray((event as SQSEvent).Records);
}

/** Builds the function: ticks fan out, check-queue batches are checked (partial batch failures reported). */
export function createUpdateCheckHandler(
  deps: UpdateCheckDeps,
): (event: UpdateCheckEvent, context: Context) => Promise<SQSBatchResponse | TickOutcome> {
  return (event, context) => {
    if (!isSqsEvent(event)) return runCheckTick(deps);
    return processSqsBatch(event, context, (body) => processCheckMessage(deps, body));
  };
}

/**
 * The registry parts of a check: an OCI client whose requests are paced per host and whose manifest HEADs
 * are conditional, the tag resolver over it (ECR hosts through DescribeImages), a short memory for base
 * tags, and the metadata reader.
 */
export function createCheckRegistry(
  credentials: RegistryCredentials,
  options: { fetch?: typeof fetch; ratePerSecond?: number; burst?: number; retry?: RetryPolicy } = {},
): Pick<UpdateCheckDeps, 'resolver' | 'baseResolver' | 'metadata'> {
  const fetcher = conditionalFetch(
    pacedFetch(options.fetch ?? globalThis.fetch, {
      default: { ratePerSecond: options.ratePerSecond ?? 10, burst: options.burst ?? 20 },
    }),
  );
  const oci = new OciRegistryClient({
    credentials,
    fetch: fetcher,
    ...(options.retry ? { retry: options.retry } : {}),
  });
  const resolver = createTagResolver(credentials, { oci });
  return { resolver, baseResolver: cycleMemo(resolver), metadata: createImageMetadataReader(oci) };
}

let built: ReturnType<typeof createUpdateCheckHandler> | undefined;

/**
 * Lambda entry point: TABLE_NAME, IMAGE_QUEUE_URL, CHECK_QUEUE_URL; registry credentials as image-push
 * (REGISTRY_CREDENTIALS_SECRET_ID or REGISTRY_CREDENTIALS_FILE); EVENT_BUS_NAME (default `default`);
 * BASE_IMAGE_LABEL (optional); REGISTRY_RATE_PER_SECOND (default 10); cluster tokens from CLUSTER_TOKENS
 * (JSON name → token) for drift checks.
 */
export const handler = (
  event: UpdateCheckEvent,
  context: Context,
): Promise<SQSBatchResponse | TickOutcome> => {
  if (built === undefined) {
    const tableName = process.env.TABLE_NAME;
    const imageQueueUrl = process.env.IMAGE_QUEUE_URL;
    const checkQueueUrl = process.env.CHECK_QUEUE_URL;
    if (!tableName || !imageQueueUrl || !checkQueueUrl) {
      throw new Error('TABLE_NAME, IMAGE_QUEUE_URL and CHECK_QUEUE_URL must be set');
    }
    const credentials = process.env.REGISTRY_CREDENTIALS_SECRET_ID
      ? secretsManagerCredentials(process.env.REGISTRY_CREDENTIALS_SECRET_ID)
      : process.env.REGISTRY_CREDENTIALS_FILE
        ? fileCredentials(process.env.REGISTRY_CREDENTIALS_FILE)
        : staticCredentials({ registries: {} });
    const store = { doc: createDocumentClient(), tableName };
    const sqs = new SQSClient({});
    const rate = Number(process.env.REGISTRY_RATE_PER_SECOND ?? '10');
    built = createUpdateCheckHandler({
      store,
      ...createCheckRegistry(credentials, { ratePerSecond: rate > 0 ? rate : 10 }),
      imageQueue: new SqsMessageQueue<ImagePushed>({ client: sqs, queueUrl: imageQueueUrl }),
      checkQueue: new SqsMessageQueue<CheckQueueMessage>({ client: sqs, queueUrl: checkQueueUrl }),
      publisher: new EventBridgePublisher({
        client: new EventBridgeClient({}),
        busName: process.env.EVENT_BUS_NAME ?? 'default',
      }),
      clusters: createClusterConnector(store, createCredentialsResolver(clusterTokensFromEnvironment())),
      ...(process.env.BASE_IMAGE_LABEL ? { baseImageLabel: process.env.BASE_IMAGE_LABEL } : {}),
    });
  }
  return built(event, context);
};
