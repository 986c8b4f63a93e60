/**
 * Admin API (`ANY /v1/{proxy+}`, API Gateway HTTP API v2, IAM-authorised on AWS; served by the local HTTP
 * front under /v1 by `strata start`). Thin: parse and validate the request (zod, errors naming the field),
 * read or write through the store modules, explain with functions/core/admin, answer JSON.
 *
 * | method and path                         | what                                                   |
 * | --------------------------------------- | ------------------------------------------------------ |
 * | GET /v1/health                          | liveness                                               |
 * | GET /v1/clusters · POST · DELETE /{id}  | list, register, unregister clusters                    |
 * | GET /v1/pools?cluster=                  | pool items (for `oc get mcp`-like tables)              |
 * | GET /v1/nodes?cluster=&pool=            | nodes, read live from each cluster                     |
 * | GET /v1/tracks · PUT /{name} · DELETE   | list, apply, delete tracks                             |
 * | GET /v1/rollouts · GET /{id}            | list; describe (waves, pools, events, why blocked)     |
 * | POST /v1/rollouts/{id}/{action}         | pause, resume, abort, rollback                         |
 * | POST /v1/publish                        | inject an ImagePushed (no registry involved)           |
 * | POST /v1/plan                           | dry run: waves, rendered names, node order, refusals   |
 * | POST /v1/checks                         | run the update check now (`{track?}`), as the tick does |
 * | GET /v1/drift?cluster=                  | drift findings of the last drift checks                 |
 */
import { randomUUID } from 'node:crypto';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { type ClusterConnector, createClusterConnector } from '../adapters/cluster/connector.ts';
import { createCredentialsResolver } from '../adapters/cluster/credentials.ts';
import { imageLayer } from '../adapters/cluster/render-target.ts';
import { SqsMessageQueue } from '../adapters/queue/index.ts';
import { clusterTokensFromEnvironment } from '../adapters/secrets/index.ts';
import { listClusterDrift, listTrackChecks } from '../adapters/store/checks.ts';
import { clusterKey, getCluster, listClusters } from '../adapters/store/clusters.ts';
import type { StoreContext } from '../adapters/store/context.ts';
import { listEvents } from '../adapters/store/events.ts';
import { listAllPools, listClusterPools, poolKey } from '../adapters/store/pools.ts';
import { registerClusterWithPools } from '../adapters/store/registry.ts';
import { getRollout, listRollouts } from '../adapters/store/rollouts.ts';
import { createDocumentClient } from '../adapters/store/table.ts';
import {
  deleteTrack,
  findTracksForImage,
  getTrack,
  listTracks,
  saveTrack,
} from '../adapters/store/tracks.ts';
import {
  AddClusterSchema,
  AdminRequestError,
  type DryRunClusterInput,
  describeRollout,
  dryRunTrack,
  ListQuerySchema,
  type NodeView,
  PlanSchema,
  PublishSchema,
  parseRequest,
} from '../core/admin/index.ts';
import type { ClusterRecord, CredentialsRef } from '../core/clusters.ts';
import { InvalidReferenceError, parseImageReference } from '../core/ingress/reference.ts';
import {
  type ImagePushed,
  NodeAnnotations,
  pinnedReference,
  RoleLabel,
  rolloutId,
  type Track,
  ZoneLabel,
} from '../core/model.ts';
import type {
  CheckQueueMessage,
  MessageQueue,
  PlanRolloutMessage,
  ReconcilePoolMessage,
} from '../core/ports.ts';
import { type MachineConfigPool, mcoApiVersion, RenderError, renderPool } from '../core/render/index.ts';
import { VersionConflictError } from '../core/retry.ts';
import {
  InvalidPolicyError,
  InvalidTransitionError,
  isTargeted,
  matchesSelector,
  type NodeFacts,
  NotFoundError,
  primaryPool,
} from '../core/rollout/index.ts';
import type { PoolRecord } from '../core/rollout/pool-state.ts';
import { parseTrack, TrackDefinitionError } from '../core/tracks/index.ts';
import { controlRollout, type RolloutAction } from './plan-rollout.ts';
import { runCheckTick } from './update-check.ts';

/** Where cluster tokens given to `POST /v1/clusters` are kept (an in-memory map locally). */
export interface TokenStore {
  put(secretName: string, token: string): Promise<void>;
}

/** What the admin API needs. */
export interface AdminDeps {
  store: StoreContext;
  imageQueue: MessageQueue<ImagePushed>;
  planQueue: MessageQueue<PlanRolloutMessage>;
  reconcileQueue: MessageQueue<ReconcilePoolMessage>;
  /** Cluster access (nodes, dry runs, drain explanations). */
  clusters: ClusterConnector;
  /** Where tokens of newly added clusters go; without it, clusters are added by `secretName` only. */
  tokens?: TokenStore;
  /**
   * Called when `publish` names a digest. The embedded runtime uses it to resolve that tag to the declared
   * digest without a registry; on AWS it is absent and image-push asks the registry.
   */
  declareDigest?: (image: { host: string; repository: string; tag: string }, digest: string) => void;
  /** The update check's queue (`POST /v1/checks`); without it, checks run only on their schedule. */
  checkQueue?: MessageQueue<CheckQueueMessage>;
  now?: () => Date;
}

type Result = APIGatewayProxyStructuredResultV2;

/** An error answered with a status code and the message. */
class HttpError extends Error {
  readonly statusCode: number;
  constructor(statusCode: number, message: string) {
    super(message);
    this.name = 'HttpError';
    this.statusCode = statusCode;
  }
}

function json(statusCode: number, body: unknown): Result {
  return { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

function statusOf(error: unknown): number {
  if (error instanceof HttpError) return error.statusCode;
  if (
    error instanceof AdminRequestError ||
    error instanceof TrackDefinitionError ||
    error instanceof InvalidReferenceError ||
    error instanceof InvalidPolicyError
  )
    return 400;
  if (error instanceof NotFoundError) return 404;
  if (error instanceof InvalidTransitionError || error instanceof VersionConflictError) return 409;
  return 500;
}

function body(event: APIGatewayProxyEventV2): unknown {
  if (!event.body) return {};
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new AdminRequestError('body', `not JSON: ${(error as Error).message}`);
  }
}

const ACTIONS = new Set<RolloutAction>(['pause', 'resume', 'abort', 'rollback']);

/** Builds the admin API handler. */
export function createAdminHandler(deps: AdminDeps): (event: APIGatewayProxyEventV2) => Promise<Result> {
  const now = deps.now ?? (() => new Date());
  return async (event) => {
    const method = (event.requestContext?.http?.method ?? 'GET').toUpperCase();
    const path = (event.rawPath ?? '/').replace(/\/+$/, '');
    try {
      let parts: string[];
      try {
        parts = path.split('/').filter(Boolean).map(decodeURIComponent);
      } catch {
        throw new AdminRequestError('path', `"${path}" is not a valid percent-encoded path`);
      }
      if (parts[0] !== 'v1') throw new HttpError(404, `no such resource: ${path || '/'}`);
      const [resource, id, action] = parts.slice(1);
      const query = event.queryStringParameters ?? {};
      const route = `${method} ${resource ?? ''}${id !== undefined ? '/:id' : ''}${action !== undefined ? '/:action' : ''}`;
      switch (route) {
        case 'GET health':
          return json(200, { ok: true, time: now().toISOString() });
        case 'GET clusters':
          return json(200, { items: (await listClusters(deps.store)).map(publicCluster) });
        case 'POST clusters':
          return json(201, await addCluster(deps, body(event), now()));
        case 'DELETE clusters/:id':
          return json(200, await removeCluster(deps, id!));
        case 'GET pools':
          return json(200, { items: await pools(deps, parseRequest(ListQuerySchema, query, 'query')) });
        case 'GET nodes':
          return json(200, await nodes(deps, parseRequest(ListQuerySchema, query, 'query')));
        case 'GET tracks':
          return json(200, { items: await tracksWithChecks(deps) });
        case 'POST tracks':
        case 'PUT tracks/:id':
          return json(200, await applyTrack(deps, body(event), id));
        case 'DELETE tracks/:id': {
          if (!(await deleteTrack(deps.store, id!))) throw new NotFoundError(`track ${id}: not found`);
          return json(200, { deleted: id });
        }
        case 'GET rollouts':
          return json(200, { items: await rollouts(deps, query.track) });
        case 'GET rollouts/:id':
          return json(200, await describe(deps, id!, now()));
        case 'POST rollouts/:id/:action': {
          if (!ACTIONS.has(action as RolloutAction)) {
            throw new HttpError(404, `no such rollout action "${action}" (pause, resume, abort, rollback)`);
          }
          const rollout = await controlRollout({ ...deps, now }, id!, action as RolloutAction, 'admin-api');
          return json(200, { rollout });
        }
        case 'POST publish':
          return json(202, await publish(deps, body(event), now()));
        case 'POST plan':
          return json(200, await plan(deps, body(event)));
        case 'POST checks':
          return json(202, await runChecks(deps, body(event), now));
        case 'GET drift':
          return json(200, await drift(deps, query.cluster));
        default:
          throw new HttpError(404, `no such resource: ${method} ${path}`);
      }
    } catch (error) {
      const statusCode = statusOf(error);
      const message = error instanceof Error ? error.message : String(error);
      if (statusCode === 500) console.error(JSON.stringify({ level: 'ERROR', message, path, method }));
      return json(statusCode, { error: message });
    }
  };
}

/** A cluster without anything secret-looking (credentials say only how they are found). */
function publicCluster(c: ClusterRecord) {
  const { caData: _ca, version: _v, ...rest } = c;
  return rest;
}

async function addCluster(deps: AdminDeps, input: unknown, at: Date) {
  const req = parseRequest(AddClusterSchema, input, 'body');
  let credentials: CredentialsRef;
  if (req.kubeconfig) {
    credentials = {
      kind: 'kubeconfig',
      path: req.kubeconfig.path,
      ...(req.kubeconfig.context ? { context: req.kubeconfig.context } : {}),
    };
  } else if (req.secretName) {
    credentials = { kind: 'token-secret', secretName: req.secretName };
  } else {
    if (!deps.tokens) {
      throw new AdminRequestError(
        'body.token',
        `this deployment does not store tokens: store it as the secret strata/clusters/${req.name} and pass secretName`,
      );
    }
    credentials = { kind: 'token-secret', secretName: `strata/clusters/${req.name}` };
  }
  if (await getCluster(deps.store, req.name)) {
    throw new HttpError(409, `cluster ${req.name}: already registered (remove it first to change it)`);
  }
  // Validation happens in registerClusterWithPools before anything is written; the token goes last.
  const created = await registerClusterWithPools(
    deps.store,
    {
      id: req.name,
      endpoint: req.endpoint,
      ...(req.caData ? { caData: req.caData } : {}),
      credentials,
      labels: req.labels,
      pools: req.pools.map((p) => ({
        name: p.name,
        nodeSelector: p.nodeSelector ?? { [`node-role.kubernetes.io/${p.name}`]: '' },
        ...('maxUnavailable' in p && p.maxUnavailable !== undefined
          ? { maxUnavailable: p.maxUnavailable }
          : {}),
      })),
      ...(req.windows ? { windows: req.windows } : {}),
    },
    at,
  );
  if (req.token && deps.tokens && credentials.kind === 'token-secret') {
    await deps.tokens.put(credentials.secretName, req.token);
  }
  // The first reconcile of each pool records its baseline.
  for (const p of req.pools) await deps.reconcileQueue.send({ clusterId: req.name, pool: p.name });
  const record = await getCluster(deps.store, req.name);
  return { created, cluster: record ? publicCluster(record) : null };
}

async function removeCluster(deps: AdminDeps, id: string) {
  const cluster = await getCluster(deps.store, id);
  if (!cluster) throw new NotFoundError(`cluster ${id}: not registered`);
  const pools = await listClusterPools(deps.store, id);
  const busy = pools.filter((p) => Object.values(p.slots).some((s) => !s.failed));
  if (busy.length > 0) {
    throw new HttpError(
      409,
      `cluster ${id}: nodes are being updated in pool(s) ${busy.map((p) => p.pool).join(', ')}; pause or abort the rollout and wait for them to finish`,
    );
  }
  for (const p of pools) {
    await deps.store.doc.send(
      new DeleteCommand({ TableName: deps.store.tableName, Key: poolKey(id, p.pool) }),
    );
  }
  await deps.store.doc.send(new DeleteCommand({ TableName: deps.store.tableName, Key: clusterKey(id) }));
  return { deleted: id, pools: pools.map((p) => p.pool) };
}

async function pools(deps: AdminDeps, q: { cluster?: string; pool?: string }) {
  const clusters = new Map((await listClusters(deps.store)).map((c) => [c.id, c]));
  if (q.cluster && !clusters.has(q.cluster)) throw new NotFoundError(`cluster ${q.cluster}: not registered`);
  const all = q.cluster ? await listClusterPools(deps.store, q.cluster) : await listAllPools(deps.store);
  return all
    .filter((p) => !q.pool || p.pool === q.pool)
    .sort((a, b) =>
      a.clusterId === b.clusterId ? (a.pool < b.pool ? -1 : 1) : a.clusterId < b.clusterId ? -1 : 1,
    )
    .map((p) => ({ ...p, registeredAt: clusters.get(p.clusterId)?.registeredAt }));
}

function nodeView(clusterId: string, n: NodeFacts, pools: ClusterRecord['pools']): NodeView {
  const a = n.annotations;
  return {
    clusterId,
    name: n.name,
    pool: primaryPool(n.labels, pools),
    ready: n.conditions.find((c) => c.type === 'Ready')?.status === 'True',
    unschedulable: n.unschedulable,
    state: a[NodeAnnotations.state] ?? null,
    reason: a[NodeAnnotations.reason] ?? null,
    currentConfig: a[NodeAnnotations.currentConfig] ?? null,
    desiredConfig: a[NodeAnnotations.desiredConfig] ?? null,
    currentImage: a[NodeAnnotations.currentImage] ?? null,
    desiredImage: a[NodeAnnotations.desiredImage] ?? null,
    zone: n.labels[ZoneLabel] ?? null,
    createdAt: n.creationTimestamp || null,
  };
}

async function nodes(deps: AdminDeps, q: { cluster?: string; pool?: string }) {
  const clusters = (await listClusters(deps.store)).filter((c) => !q.cluster || c.id === q.cluster);
  if (q.cluster && clusters.length === 0) throw new NotFoundError(`cluster ${q.cluster}: not registered`);
  const items: NodeView[] = [];
  const errors: { cluster: string; error: string }[] = [];
  await Promise.all(
    clusters.map(async (c) => {
      try {
        const { port } = await deps.clusters.connect(c.id);
        for (const n of await port.listNodes()) items.push(nodeView(c.id, n, c.pools));
      } catch (error) {
        errors.push({ cluster: c.id, error: (error as Error).message });
      }
    }),
  );
  items.sort((a, b) =>
    a.clusterId === b.clusterId ? (a.name < b.name ? -1 : 1) : a.clusterId < b.clusterId ? -1 : 1,
  );
  return { items: items.filter((n) => !q.pool || n.pool === q.pool), errors };
}

async function applyTrack(deps: AdminDeps, input: unknown, name: string | undefined) {
  const track = parseTrack(input, 'request body');
  if (name !== undefined && track.name !== name) {
    throw new AdminRequestError('body.name', `"${track.name}" does not match the path's track "${name}"`);
  }
  for (let attempt = 0; attempt < 3; attempt++) {
    const existing = await getTrack(deps.store, track.name);
    if (existing && JSON.stringify(existing.track) === JSON.stringify(track)) {
      return { track, version: existing.version, changed: false };
    }
    try {
      const saved = await saveTrack(deps.store, track, existing?.version);
      return { track: saved.track, version: saved.version, changed: true, created: !existing };
    } catch (error) {
      if (!(error instanceof VersionConflictError)) throw error;
    }
  }
  throw new HttpError(409, `track ${track.name}: changed concurrently; try again`);
}

async function rollouts(deps: AdminDeps, track: string | undefined) {
  const all = await listRollouts(deps.store);
  return all.filter((r) => !track || r.track === track).reverse();
}

async function describe(deps: AdminDeps, id: string, at: Date) {
  const rollout = await getRollout(deps.store, id);
  if (!rollout) throw new NotFoundError(`rollout ${id}: not found`);
  const clusters = (await listClusters(deps.store)).filter((c) =>
    matchesSelector(rollout.targets.clusterSelector, c.labels),
  );
  const poolItems: (PoolRecord & { registeredAt?: string })[] = [];
  for (const c of clusters) poolItems.push(...(await listClusterPools(deps.store, c.id)));
  const draining: Record<string, { node: string; seconds: number }[]> = {};
  // Slotted nodes not yet annotated are draining; reading them live says which (best effort).
  for (const p of poolItems) {
    const slotted = Object.entries(p.slots).filter(([, s]) => !s.failed);
    if (slotted.length === 0) continue;
    try {
      const { port } = await deps.clusters.connect(p.clusterId);
      const facts = new Map((await port.listNodes()).map((n) => [n.name, n]));
      for (const [node, slot] of slotted) {
        const n = facts.get(node);
        if (n?.unschedulable && !isTargeted(n, slot.target)) {
          const key = `${p.clusterId}/${p.pool}`;
          draining[key] ??= [];
          draining[key].push({
            node,
            seconds: Math.max(0, Math.round((at.getTime() - Date.parse(slot.since)) / 1000)),
          });
        }
      }
    } catch {
      // An unreachable cluster only loses the drain detail.
    }
  }
  return describeRollout({
    rollout,
    clusters,
    pools: poolItems,
    events: await listEvents(deps.store, id),
    now: at,
    draining,
  });
}

function imageOf(field: string, image: string, digest: string | undefined) {
  let ref: ReturnType<typeof parseImageReference>;
  try {
    ref = parseImageReference(image);
  } catch (error) {
    throw new AdminRequestError(field, (error as Error).message);
  }
  if (!ref.tag) {
    throw new AdminRequestError(
      field,
      `"${image}" names no tag: tracks follow tags (host/repo:tag[@digest])`,
    );
  }
  if (ref.digest && digest && ref.digest !== digest) {
    throw new AdminRequestError('body.digest', `differs from the digest in image (${ref.digest})`);
  }
  return { host: ref.host, repository: ref.repository, tag: ref.tag, digest: digest ?? ref.digest };
}

async function publish(deps: AdminDeps, input: unknown, at: Date) {
  const req = parseRequest(PublishSchema, input, 'body');
  const image = imageOf('body.image', req.image, req.digest);
  const tagged = { host: image.host, repository: image.repository, tag: image.tag };
  if (image.digest && deps.declareDigest) deps.declareDigest(tagged, image.digest);
  const message: ImagePushed = {
    source: 'cli',
    ...tagged,
    digestHint: image.digest,
    eventId: randomUUID(),
    receivedAt: at.toISOString(),
  };
  await deps.imageQueue.send(message);
  const tracks = await findTracksForImage(deps.store, tagged);
  return {
    enqueued: message,
    tracks: tracks.map((t) => t.name),
    // Known only when the digest is: image-push names rollouts by (track, digest).
    rollouts: image.digest ? tracks.map((t) => rolloutId(t.name, image.digest!)) : [],
    digestSource: image.digest
      ? deps.declareDigest
        ? 'declared by the publisher (local runtime: no registry is asked)'
        : 'hint only: image-push resolves the tag with the registry, which wins'
      : 'image-push resolves the tag with the registry',
  };
}

async function plan(deps: AdminDeps, input: unknown) {
  const req = parseRequest(PlanSchema, input, 'body');
  const image = imageOf('body.image', req.image, req.digest);
  if (!image.digest) {
    throw new AdminRequestError(
      'body.digest',
      'a dry run needs the digest (IMAGE@sha256:… or digest): it renders configs pinned by digest and asks no registry',
    );
  }
  const pinned = pinnedReference({ host: image.host, repository: image.repository, digest: image.digest });
  let tracks: Track[];
  if (req.track) {
    const stored = await getTrack(deps.store, req.track);
    if (!stored) throw new NotFoundError(`track ${req.track}: not found`);
    tracks = [stored.track];
  } else {
    tracks = await findTracksForImage(deps.store, image);
    if (tracks.length === 0) {
      throw new NotFoundError(`no track follows ${image.host}/${image.repository}:${image.tag}`);
    }
  }
  const clusters = await listClusters(deps.store);
  const cache = new Map<string, DryRunClusterInput>();
  const results = [];
  for (const track of tracks) {
    const inputs: DryRunClusterInput[] = [];
    for (const c of clusters.filter((x) => matchesSelector(track.targets.clusterSelector, x.labels))) {
      const key = `${c.id}|${track.targets.pools.join(',')}`;
      let entry = cache.get(key);
      if (!entry) {
        entry = await dryRunCluster(deps, c, track.targets.pools, pinned);
        cache.set(key, entry);
      }
      inputs.push(entry);
    }
    results.push({ ...dryRunTrack(track, pinned, inputs), rolloutId: rolloutId(track.name, image.digest) });
  }
  return { image: pinned, tracks: results };
}

async function dryRunCluster(
  deps: AdminDeps,
  c: ClusterRecord,
  poolNames: string[],
  image: string,
): Promise<DryRunClusterInput> {
  try {
    const { port } = await deps.clusters.connect(c.id);
    const all = await port.listNodes();
    const serves = await port.servesMachineConfigs();
    const pools = [];
    for (const p of c.pools.filter((x) => poolNames.includes(x.name))) {
      const nodesOfPool = all.filter((n) => primaryPool(n.labels, c.pools) === p.name);
      let rendered: DryRunClusterInput['pools'][number]['rendered'];
      try {
        const sources = serves ? await port.readPoolSources(p.name) : null;
        const mcp: MachineConfigPool = sources?.pool ?? {
          apiVersion: mcoApiVersion,
          kind: 'MachineConfigPool',
          metadata: { name: p.name },
          spec: { machineConfigSelector: { matchLabels: { [RoleLabel]: p.name } } },
        };
        const selectorLabels = mcp.spec.machineConfigSelector?.matchLabels ?? { [RoleLabel]: p.name };
        const own = (sources?.machineConfigs ?? []).filter(
          (mc) =>
            !mc.metadata.name.startsWith('rendered-') && mc.metadata.name !== `99-strata-${p.name}-os-image`,
        );
        const result = renderPool({
          pool: mcp,
          machineConfigs: [...own, imageLayer(p.name, image, selectorLabels)],
        });
        rendered = {
          config: result.name,
          image,
          sources: result.source.map((s) => s.name),
          warnings: result.warnings,
        };
      } catch (error) {
        if (!(error instanceof RenderError)) throw error;
        rendered = { refusal: error.message };
      }
      pools.push({
        pool: p.name,
        ...(p.maxUnavailable !== undefined ? { maxUnavailable: p.maxUnavailable } : {}),
        nodes: nodesOfPool,
        rendered,
      });
    }
    return { id: c.id, labels: c.labels, pools };
  } catch (error) {
    return { id: c.id, labels: c.labels, pools: [], unreachable: (error as Error).message };
  }
}

let built: ReturnType<typeof createAdminHandler> | undefined;

/**
 * Lambda entry point: TABLE_NAME, IMAGE_QUEUE_URL, PLAN_QUEUE_URL, RECONCILE_QUEUE_URL; cluster tokens from
 * CLUSTER_TOKENS (JSON name → token) when set, else cluster tokens from Secrets Manager.
 */
export const handler = (event: APIGatewayProxyEventV2): Promise<Result> => {
  if (built === undefined) {
    const tableName = process.env.TABLE_NAME;
    const imageUrl = process.env.IMAGE_QUEUE_URL;
    const planUrl = process.env.PLAN_QUEUE_URL;
    const reconcileUrl = process.env.RECONCILE_QUEUE_URL;
    if (!tableName || !imageUrl || !planUrl || !reconcileUrl) {
      throw new Error('TABLE_NAME, IMAGE_QUEUE_URL, PLAN_QUEUE_URL and RECONCILE_QUEUE_URL must be set');
    }
    const store = { doc: createDocumentClient(), tableName };
    const sqs = new SQSClient({});
    built = createAdminHandler({
      store,
      imageQueue: new SqsMessageQueue<ImagePushed>({ client: sqs, queueUrl: imageUrl }),
      planQueue: new SqsMessageQueue<PlanRolloutMessage>({ client: sqs, queueUrl: planUrl }),
      reconcileQueue: new SqsMessageQueue<ReconcilePoolMessage>({ client: sqs, queueUrl: reconcileUrl }),
      clusters: createClusterConnector(store, createCredentialsResolver(clusterTokensFromEnvironment())),
      ...(process.env.CHECK_QUEUE_URL
        ? {
            checkQueue: new SqsMessageQueue<CheckQueueMessage>({
              client: sqs,
              queueUrl: process.env.CHECK_QUEUE_URL,
            }),
          }
        : {}),
    });
  }
  return built(event);
};

/** Tracks with what their last update check found (`check`: digest, errors, base staleness). */
async function tracksWithChecks(deps: AdminDeps) {
  const checks = new Map((await listTrackChecks(deps.store)).map((c) => [c.track, c]));
  return (await listTracks(deps.store)).map((t) => {
    const c = checks.get(t.name);
    if (!c) return t;
    const { version: _v, track: _t, ...check } = c;
    return { ...t, check };
  });
}

/** Runs the update check now: one track, or every track and cluster. */
async function runChecks(deps: AdminDeps, input: unknown, now: () => Date) {
  if (!deps.checkQueue) {
    throw new HttpError(501, 'this Strata runs no update checks (no check queue configured)');
  }
  const track = (input as { track?: unknown } | null)?.track;
  if (track !== undefined && (typeof track !== 'string' || track === '')) {
    throw new AdminRequestError('body.track', 'must be a track name');
  }
  if (track !== undefined && !(await getTrack(deps.store, track))) {
    throw new NotFoundError(`track ${track}: not found`);
  }
  const outcome = await runCheckTick(
    { store: deps.store, checkQueue: deps.checkQueue, clusters: deps.clusters, now, log: () => undefined },
    track !== undefined ? { tracks: [track] } : undefined,
  );
  return { cycle: outcome.cycle, tracks: outcome.tracks, clusters: outcome.clusters };
}

/** Drift findings, one row per finding (of one cluster when asked), and clusters whose last check failed. */
async function drift(deps: AdminDeps, cluster: string | undefined) {
  const drifts = (await listClusterDrift(deps.store)).filter(
    (d) => cluster === undefined || d.clusterId === cluster,
  );
  return {
    items: drifts.flatMap((d) => d.findings.map((f) => ({ ...f, checkedAt: d.checkedAt }))),
    errors: drifts.flatMap((d) =>
      d.error ? [{ cluster: d.clusterId, error: `drift check failed at ${d.checkedAt}: ${d.error}` }] : [],
    ),
  };
}
