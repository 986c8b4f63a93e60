/**
 * The Kubernetes API of one simulated cluster over HTTPS on 127.0.0.1: bearer-token authentication and
 * authorisation, discovery and OpenAPI v3, list (selectors, limit/continue, resourceVersion and
 * resourceVersionMatch), get, create, update (PUT with resourceVersion preconditions), patch (merge,
 * strategic merge, JSON patch), delete (DeleteOptions: preconditions, propagation), `dryRun=All`, field
 * validation, watch (resourceVersion, bookmarks, initial events, 410 Gone), pods/eviction, Table output for
 * kubectl, errors as Status objects. Every write a client makes is recorded as a core/v1 Event.
 *
 * Whatever a client sends, the answer is a Status (4xx for what the request got wrong); nothing a request
 * carries can stop the server.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { ServedResource, SimCluster } from './cluster.ts';
import { apiGroup, apiGroupList, apiResourceList, apiVersions, versionInfo } from './discovery.ts';
import { groupVersionDocument, isStructural, openApiRoot, schemaOf, validateObject } from './openapi.ts';
import { applyPatch, PatchError } from './patch.ts';
import {
  encodeContinue,
  type ListParams,
  listParams,
  parseBool,
  parseTarget,
  type WriteParams,
  writeParams,
} from './request.ts';
import { badRequest, conflict, StatusError, statusObject } from './status.ts';
import {
  type ChangeEvent,
  Collection,
  deliver,
  type KObject,
  type StoredRecord,
  type Watcher,
} from './store.ts';
import { toTable } from './tables.ts';
import type { TlsIdentity } from './tls.ts';

/** Who a bearer token belongs to. */
export interface ApiUser {
  name: string;
  access: 'admin' | 'read-only';
}

/** What fault injection may do to a request before it is served. */
export type RequestFault =
  | { kind: 'none' }
  | { kind: 'delay'; ms: number }
  | { kind: 'status'; error: StatusError; delayMs?: number }
  | { kind: 'timeout'; ms: number }
  /** The request is served (a write applies), then the connection drops before the answer is sent. */
  | { kind: 'lost-answer' };

export interface ApiServerOptions {
  cluster: SimCluster;
  /** Bearer token → user. */
  tokens: ReadonlyMap<string, ApiUser>;
  /** Decides per (non-discovery) request whether a fault applies. */
  fault?: (method: string, path: string) => RequestFault;
  /** Real milliseconds between bookmarks on watches that allow them. */
  bookmarkEveryMs: number;
  /** Simulated wall-clock now (ms since epoch), for ages in tables. */
  now: () => number;
  /** The server's certificate and key. */
  tls: TlsIdentity;
}

const readVerbs = new Set(['get', 'list', 'watch']);
const compactKinds = new Set(['nodes', 'pods', 'poddisruptionbudgets', 'leases', 'events']);
/** The component client-write Events are reported by. */
export const AUDIT_COMPONENT = 'strata-sim-apiserver';
const notFoundResource = () =>
  new StatusError(404, 'NotFound', 'the server could not find the requested resource');

interface Route {
  resource: ServedResource;
  namespace?: string;
  name?: string;
  subresource?: string;
  watch: boolean;
}

/** One cluster's API server. */
export class ApiServer {
  private readonly server: Server;
  private readonly options: ApiServerOptions;
  private readonly openWatches = new Set<() => void>();
  private readonly sockets = new Set<Duplex>();
  private generated = 0;
  /** Requests served (all kinds), for benchmarks. */
  requests = 0;

  constructor(options: ApiServerOptions) {
    this.options = options;
    this.server = createServer({ key: options.tls.key, cert: options.tls.cert }, (req, res) => {
      this.requests++;
      this.handle(req, res)
        .catch((error: unknown) => this.fail(res, error))
        // Even a Status that cannot be written (a header value Node refuses) ends one request, not the server.
        .catch(() => res.destroy());
    });
    // client-node opens a new TLS connection per request: idle ones must not pile up (memory).
    this.server.keepAliveTimeout = 5000;
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    // CONNECT reaches this event, not the request handler (without a listener Node drops it unanswered).
    this.server.on('connect', (_req: IncomingMessage, socket: Duplex) => {
      const body = JSON.stringify(
        statusObject(
          405,
          'MethodNotAllowed',
          'the server does not allow this method on the requested resource',
        ),
      );
      socket.end(
        `HTTP/1.1 405 Method Not Allowed\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    });
    // Requests the HTTP parser refuses (oversized headers, garbage) still get a Status, then the close.
    this.server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
      if (!socket.writable) return socket.destroy();
      const [code, reason, message] =
        error.code === 'HPE_HEADER_OVERFLOW'
          ? [431, 'RequestHeaderFieldsTooLarge', 'request header fields too large']
          : error.code === 'HPE_REQUEST_TIMEOUT' || error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
            ? [408, 'Timeout', 'request timeout']
            : [400, 'BadRequest', `malformed HTTP request: ${error.code ?? error.message}`];
      const body = JSON.stringify(statusObject(code as number, reason as string, message as string));
      socket.end(
        `HTTP/1.1 ${code} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    });
  }

  /** Starts listening on 127.0.0.1 (port 0: an ephemeral port). Returns the server URL. */
  async listen(port = 0): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => resolve());
    });
    return this.url;
  }

  get url(): string {
    const address = this.server.address() as AddressInfo;
    return `https://127.0.0.1:${address.port}`;
  }

  /** Ends every open watch stream (clients see the connection close and re-watch). */
  disconnectWatches(): number {
    const closers = [...this.openWatches];
    for (const close of closers) close();
    return closers.length;
  }

  async close(): Promise<void> {
    this.disconnectWatches();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  private get cluster(): SimCluster {
    return this.options.cluster;
  }

  // ---- request handling --------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const target = parseTarget(req.url);
    const { path, query } = target;
    if (path === '/healthz' || path === '/livez' || path === '/readyz') return this.sendText(res, 200, 'ok');

    const user = this.authenticate(req);
    if (!user) throw new StatusError(401, 'Unauthorized', 'Unauthorized');
    if (target.segments.some((s) => s === '')) throw notFoundResource();

    const discovery = this.discovery(target.segments, req);
    if (discovery !== undefined) {
      if (method !== 'GET' && method !== 'HEAD')
        throw new StatusError(
          405,
          'MethodNotAllowed',
          'the server does not allow this method on the requested resource',
        );
      if (discovery === null) throw notFoundResource();
      return this.sendJson(res, 200, discovery);
    }

    const fault = this.options.fault?.(method, path) ?? { kind: 'none' };
    if (fault.kind === 'timeout') {
      await sleep(fault.ms);
      req.socket.destroy();
      return;
    }
    if (fault.kind === 'lost-answer') {
      // The client cannot tell whether its request applied: nothing of the answer reaches it.
      const drop = () => {
        req.socket.destroy();
        return res;
      };
      res.writeHead = drop as unknown as typeof res.writeHead;
      res.end = drop as unknown as typeof res.end;
    }
    if (fault.kind === 'delay') await sleep(fault.ms);
    if (fault.kind === 'status') {
      if (fault.delayMs) await sleep(fault.delayMs);
      throw fault.error;
    }

    const route = this.route(target.segments);
    if (!route) throw notFoundResource();
    const { resource, namespace, name, subresource } = route;
    const watchQuery = method === 'GET' && parseBool('watch', query.get('watch')) === true;
    const verb = this.verb(method, name, subresource, route.watch || watchQuery);
    this.authorize(user, verb, resource, namespace, name, subresource);
    const supported = ['metadata.name', 'metadata.namespace', ...resource.type.fieldSelectors];

    switch (verb) {
      case 'list':
        return this.list(req, res, resource, namespace, listParams(query, supported, false), query);
      case 'watch':
        return this.watch(req, res, resource, namespace, name, listParams(query, supported, true), query);
      case 'get': {
        if (subresource !== undefined && subresource !== 'status') throw notFoundResource();
        const record = resource.collection.require(namespace, name!);
        return this.sendObject(req, res, 200, resource, resource.type.encode(record), query);
      }
      case 'create':
        return this.create(req, res, user, resource, namespace, name, subresource, query);
      case 'update':
        return this.write(req, res, user, resource, namespace, name!, subresource, 'PUT', query);
      case 'patch':
        return this.write(req, res, user, resource, namespace, name!, subresource, 'PATCH', query);
      case 'delete':
        if (subresource !== undefined)
          throw new StatusError(
            405,
            'MethodNotAllowed',
            'the server does not allow this method on the requested resource',
          );
        return this.remove(req, res, user, resource, namespace, name!, query);
      default:
        throw new StatusError(
          405,
          'MethodNotAllowed',
          'the server does not allow this method on the requested resource',
        );
    }
  }

  private authenticate(req: IncomingMessage): ApiUser | undefined {
    const header = req.headers.authorization ?? '';
    const match = /^Bearer\s+(.+)$/i.exec(header);
    return match ? this.options.tokens.get(match[1]!.trim()) : undefined;
  }

  private authorize(
    user: ApiUser,
    verb: string,
    resource: ServedResource,
    namespace: string | undefined,
    name: string | undefined,
    subresource: string | undefined,
  ): void {
    if (user.access === 'admin' || readVerbs.has(verb)) return;
    const plural = subresource ? `${resource.type.plural}/${subresource}` : resource.type.plural;
    const what = name ? `${resource.type.plural} "${name}"` : resource.type.plural;
    const scope = namespace ? `in the namespace "${namespace}"` : 'at the cluster scope';
    throw new StatusError(
      403,
      'Forbidden',
      `${what} is forbidden: User "${user.name}" cannot ${verb} resource "${plural}" in API group "${resource.type.group}" ${scope}`,
      { name, group: resource.type.group, kind: resource.type.plural },
    );
  }

  /**
   * Discovery and OpenAPI documents; `undefined` when the path is neither, `null` for an unknown one.
   */
  private discovery(segments: string[], req: IncomingMessage): object | null | undefined {
    const resources = [...this.cluster.resources.values()];
    const path = `/${segments.join('/')}`;
    if (path === '/version') return versionInfo;
    if (path === '/api') return apiVersions(req.headers.host ?? '127.0.0.1');
    if (path === '/apis') return apiGroupList(resources);
    if (path === '/api/v1') return apiResourceList(resources, '', 'v1') ?? null;
    if (segments[0] === 'openapi') {
      if (segments[1] === 'v3' && segments.length === 2) return openApiRoot(resources);
      if (segments[1] === 'v3' && segments[2] === 'api' && segments.length === 4)
        return resources.some((r) => r.type.group === '' && r.type.version === segments[3])
          ? groupVersionDocument(resources, '', segments[3]!)
          : null;
      if (segments[1] === 'v3' && segments[2] === 'apis' && segments.length === 5)
        return resources.some((r) => r.type.group === segments[3] && r.type.version === segments[4])
          ? groupVersionDocument(resources, segments[3]!, segments[4]!)
          : null;
      return null;
    }
    if (segments[0] === 'apis' && segments.length === 2) return apiGroup(resources, segments[1]!) ?? null;
    if (segments[0] === 'apis' && segments.length === 3)
      return apiResourceList(resources, segments[1]!, segments[2]!) ?? null;
    return undefined;
  }

  private route(segments: string[]): Route | undefined {
    let parts = segments;
    let group: string;
    let version: string;
    if (parts[0] === 'api' && parts[1] === 'v1') {
      group = '';
      version = 'v1';
      parts = parts.slice(2);
    } else if (parts[0] === 'apis' && parts.length >= 3) {
      group = parts[1]!;
      version = parts[2]!;
      parts = parts.slice(3);
    } else return undefined;
    let watch = false;
    if (parts[0] === 'watch') {
      watch = true;
      parts = parts.slice(1);
    }
    let namespace: string | undefined;
    if (parts[0] === 'namespaces' && parts.length >= 3) {
      namespace = parts[1];
      parts = parts.slice(2);
    }
    const [plural, name, subresource, ...rest] = parts;
    if (!plural || rest.length > 0) return undefined;
    const resource = this.cluster.resources.get(`${group}/${version}/${plural}`);
    if (!resource) return undefined;
    if (resource.type.namespaced === false && namespace !== undefined) return undefined;
    if (watch && subresource !== undefined) return undefined;
    return { resource, namespace, name, subresource, watch };
  }

  private verb(
    method: string,
    name: string | undefined,
    subresource: string | undefined,
    watch: boolean,
  ): string {
    if (method === 'GET' || method === 'HEAD') return watch ? 'watch' : name ? 'get' : 'list';
    if (method === 'POST') return subresource === 'eviction' || !name ? 'create' : 'unknown';
    if (!name) return method === 'DELETE' ? 'deletecollection' : 'unknown';
    if (method === 'PUT') return 'update';
    if (method === 'PATCH') return 'patch';
    if (method === 'DELETE') return 'delete';
    return 'unknown';
  }

  // ---- reads -------------------------------------------------------------------------------------

  /** Checks a list's resourceVersion against what the store can serve (the current state only). */
  private checkListVersion(resource: ServedResource, params: ListParams): void {
    const rv = params.resourceVersion;
    if (rv === undefined || rv === '0') return;
    const current = resource.collection.revision;
    const asked = Number(rv);
    if (asked > current)
      throw new StatusError(504, 'Timeout', `Too large resource version: ${asked}, current: ${current}`, {
        causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }],
        retryAfterSeconds: 1,
      });
    if (params.resourceVersionMatch === 'Exact' && asked !== current)
      throw new StatusError(410, 'Expired', `too old resource version: ${asked} (${current})`);
  }

  private list(
    req: IncomingMessage,
    res: ServerResponse,
    resource: ServedResource,
    namespace: string | undefined,
    params: ListParams,
    query: URLSearchParams,
  ): void {
    this.checkListVersion(resource, params);
    const type = resource.type;
    let records = resource.collection
      .list(namespace)
      .filter((r) => params.labels(r.labels) && params.fields(type.fields(r as never)));
    if (params.after !== undefined) {
      const after = params.after;
      records = records.filter((r) => Collection.key(r.namespace, r.name) > after);
    }
    const metadata: Record<string, unknown> = { resourceVersion: String(resource.collection.revision) };
    if (params.limit > 0 && records.length > params.limit) {
      const last = records[params.limit - 1]!;
      metadata.continue = encodeContinue(
        resource.collection.revision,
        Collection.key(last.namespace, last.name),
      );
      metadata.remainingItemCount = records.length - params.limit;
      records = records.slice(0, params.limit);
    }
    const items = records.map((r) => type.encode(r as never));
    if (wantsTable(req)) {
      const table = toTable(
        type.kind,
        items,
        String(metadata.resourceVersion),
        this.options.now(),
        query.get('includeObject'),
      );
      (table.metadata as Record<string, unknown>).continue = metadata.continue;
      this.sendJson(res, 200, table);
      return;
    }
    const apiVersion = type.group ? `${type.group}/${type.version}` : type.version;
    // Items of a list carry no apiVersion/kind, as on a real server.
    this.sendJson(res, 200, {
      kind: `${type.kind}List`,
      apiVersion,
      metadata,
      items: items.map(({ apiVersion: _, kind: __, ...rest }) => rest),
    });
  }

  private watch(
    req: IncomingMessage,
    res: ServerResponse,
    resource: ServedResource,
    namespace: string | undefined,
    name: string | undefined,
    params: ListParams,
    query: URLSearchParams,
  ): void {
    const type = resource.type;
    const rvText = params.resourceVersion;
    const sinceRv = rvText && rvText !== '0' && !params.sendInitialEvents ? Number(rvText) : undefined;
    if (rvText && Number(rvText) > resource.collection.revision)
      throw new StatusError(
        504,
        'Timeout',
        `Too large resource version: ${rvText}, current: ${resource.collection.revision}`,
      );
    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' });
    res.flushHeaders();
    const write = (line: string) => {
      if (!res.writableEnded && !res.destroyed) res.write(`${line}\n`);
    };
    // `kubectl get -w` asks for Tables: each event then carries a one-row Table, as on a real server.
    const asTable = wantsTable(req);
    const tableRow = (json: string) =>
      JSON.stringify(
        toTable(type.kind, [JSON.parse(json) as KObject], '', this.options.now(), query.get('includeObject')),
      );
    const watcher: Watcher = {
      namespace,
      matches: (l, f) =>
        params.labels(l) && params.fields(f) && (name === undefined || f['metadata.name'] === name),
      send: (eventType, json) => write(`{"type":"${eventType}","object":${asTable ? tableRow(json) : json}}`),
    };
    let replay: ChangeEvent[];
    try {
      replay = resource.collection.watch(watcher, sinceRv);
    } catch (error) {
      if (error instanceof StatusError) {
        write(JSON.stringify({ type: 'ERROR', object: error.toStatus() }));
        res.end();
        return;
      }
      throw error;
    }
    const apiVersion = type.group ? `${type.group}/${type.version}` : type.version;
    const bookmark = (annotations?: Record<string, string>) =>
      write(
        JSON.stringify({
          type: 'BOOKMARK',
          object: {
            kind: type.kind,
            apiVersion,
            metadata: {
              resourceVersion: String(resource.collection.revision),
              ...(annotations ? { annotations } : {}),
            },
          },
        }),
      );
    if (sinceRv === undefined) {
      for (const record of resource.collection.list(namespace)) {
        if (watcher.matches(record.labels, type.fields(record as never)))
          watcher.send('ADDED', JSON.stringify(type.encode(record as never)));
      }
      // The end of the initial state, for clients that asked for it (watch-list).
      if (params.sendInitialEvents) bookmark({ 'k8s.io/initial-events-end': 'true' });
    } else {
      for (const event of replay) deliver(watcher, event);
    }
    const timers: NodeJS.Timeout[] = [];
    const close = () => {
      for (const t of timers) clearTimeout(t);
      resource.collection.unwatch(watcher);
      this.openWatches.delete(close);
      if (!res.writableEnded) res.end();
    };
    this.openWatches.add(close);
    if (params.allowWatchBookmarks) timers.push(setInterval(() => bookmark(), this.options.bookmarkEveryMs));
    if (params.timeoutSeconds !== undefined && params.timeoutSeconds > 0)
      timers.push(setTimeout(close, params.timeoutSeconds * 1000));
    req.on('close', close);
    res.on('close', close);
    res.on('error', close);
  }

  // ---- writes ------------------------------------------------------------------------------------

  /**
   * Structural validation of a custom kind as its CRD does: type errors are 422; unknown fields are
   * pruned, refused with `fieldValidation=Strict` and reported as warnings with `Warn`.
   */
  private validate(resource: ServedResource, object: KObject, params: WriteParams, warnings: string[]): void {
    const { group, version, kind } = resource.type;
    if (!isStructural(kind)) return;
    const { errors, unknown } = validateObject(object, schemaOf(group, version, kind));
    if (errors.length > 0) {
      const name = String(object.metadata?.name ?? '');
      throw new StatusError(
        422,
        'Invalid',
        `${kind} "${name}" is invalid: ${errors.map((e) => `${e.path}: ${e.message}`).join(', ')}`,
        {
          name,
          group,
          kind,
          causes: errors.map((e) => ({ reason: 'FieldValueInvalid', message: e.message, field: e.path })),
        },
      );
    }
    if (unknown.length === 0 || params.fieldValidation === 'Ignore') return;
    if (params.fieldValidation === 'Strict')
      throw badRequest(`strict decoding error: ${unknown.map((f) => `unknown field "${f}"`).join(', ')}`);
    for (const f of unknown) warnings.push(`unknown field "${f}"`);
  }

  private async create(
    req: IncomingMessage,
    res: ServerResponse,
    user: ApiUser,
    resource: ServedResource,
    namespace: string | undefined,
    name: string | undefined,
    subresource: string | undefined,
    query: URLSearchParams,
  ): Promise<void> {
    const body = await readJson(req);
    const params = writeParams(query);
    if (subresource === 'eviction') {
      if (resource.type.plural !== 'pods' || !namespace || !name) throw notFoundResource();
      if (typeof body !== 'object' || body === null || Array.isArray(body))
        throw badRequest('the body must be an Eviction object');
      const eviction = body as { kind?: string; metadata?: { name?: string }; deleteOptions?: unknown };
      if (eviction.kind !== undefined && eviction.kind !== 'Eviction')
        throw badRequest(`expected an Eviction, got kind "${eviction.kind}"`);
      if (eviction.metadata?.name !== undefined && eviction.metadata.name !== name)
        throw badRequest(`name in URL does not match name in Eviction object`);
      const options =
        eviction.deleteOptions === undefined ? params : writeParams(query, eviction.deleteOptions);
      const pod = this.cluster.pods.require(namespace, name);
      this.cluster.asActor(user.name, () => this.cluster.evictPod(namespace, name, options.dryRun));
      if (!options.dryRun)
        this.clientEvent(
          user,
          'Evicted',
          `evicted pod ${namespace}/${name}${pod.nodeName ? ` from node ${pod.nodeName}` : ''}`,
          {
            kind: 'Pod',
            name,
            namespace,
            uid: pod.uid,
            apiVersion: 'v1',
          },
        );
      return this.sendJson(res, 201, statusObject(201, '', ''));
    }
    if (subresource !== undefined) throw notFoundResource();
    if (!resource.fromCreate)
      throw new StatusError(405, 'MethodNotAllowed', `create is not supported on ${resource.type.plural}`);
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      throw badRequest(`the body must be a ${resource.type.kind} object`);
    const object = body as KObject;
    if (typeof object.metadata !== 'object' || object.metadata === null || Array.isArray(object.metadata))
      object.metadata = {};
    if (
      object.metadata.namespace !== undefined &&
      namespace !== undefined &&
      object.metadata.namespace !== namespace
    )
      throw badRequest(
        'the namespace of the provided object does not match the namespace sent on the request',
      );
    if (object.metadata.name === undefined && typeof object.metadata.generateName === 'string')
      object.metadata.name = `${object.metadata.generateName}${this.suffix()}`;
    const warnings: string[] = [];
    this.validate(resource, object, params, warnings);
    const record = resource.fromCreate(object, namespace);
    if (params.dryRun) {
      const existing = resource.collection.get(record.namespace, record.name);
      if (existing) throw conflictExists(resource, record.name);
      const encoded = resource.type.encode(record);
      delete encoded.metadata.resourceVersion;
      return this.sendJson(res, 201, encoded, warningHeaders(warnings));
    }
    const stored = this.cluster.asActor(user.name, () => resource.collection.create(record));
    const encoded = resource.type.encode(stored);
    if (resource.type.kind !== 'Event')
      this.clientEvent(
        user,
        'Created',
        `created ${describe(resource, stored)}`,
        involvedOf(resource, encoded),
      );
    this.sendJson(res, 201, encoded, warningHeaders(warnings));
  }

  private async write(
    req: IncomingMessage,
    res: ServerResponse,
    user: ApiUser,
    resource: ServedResource,
    namespace: string | undefined,
    name: string,
    subresource: string | undefined,
    method: 'PUT' | 'PATCH',
    query: URLSearchParams,
  ): Promise<void> {
    const body = await readJson(req);
    const params = writeParams(query);
    const current = resource.collection.require(namespace, name);
    const before = resource.type.encode(current);
    let object: KObject;
    if (method === 'PATCH') {
      const contentType = String(req.headers['content-type'] ?? '');
      if (contentType.split(';')[0]!.trim() === 'application/apply-patch+yaml')
        throw new StatusError(
          415,
          'UnsupportedMediaType',
          'server-side apply is not supported by the simulator; use a merge or JSON patch (kubectl apply without --server-side)',
        );
      try {
        object = applyPatch(structuredClone(before) as never, contentType, body) as KObject;
      } catch (error) {
        if (error instanceof PatchError) {
          const code = /unsupported patch type/.test(error.message) ? 415 : 422;
          throw new StatusError(code, code === 415 ? 'UnsupportedMediaType' : 'Invalid', error.message);
        }
        throw error;
      }
    } else {
      object = body as KObject;
    }
    if (
      typeof object !== 'object' ||
      object === null ||
      Array.isArray(object) ||
      typeof object.metadata !== 'object' ||
      object.metadata === null
    )
      throw badRequest('the body must be an object with metadata');
    const rvText = object.metadata.resourceVersion;
    if (rvText !== undefined && rvText !== '' && !/^\d+$/.test(String(rvText)))
      throw badRequest(
        `metadata.resourceVersion: Invalid value: "${String(rvText)}": must be a non-negative integer`,
      );
    const expectedRv = rvText === undefined || rvText === '' ? undefined : Number(rvText);
    const build =
      subresource === 'status' ? resource.fromStatusWrite : subresource ? undefined : resource.fromWrite;
    if (!build) {
      if (subresource && subresource !== 'status') throw notFoundResource();
      throw new StatusError(405, 'MethodNotAllowed', `${method} is not supported on this resource`);
    }
    const warnings: string[] = [];
    if (subresource === undefined) this.validate(resource, object, params, warnings);
    const next = build(object, current);
    if (params.dryRun) {
      if (expectedRv !== undefined && expectedRv !== current.rv)
        throw conflict(resource.type.group, resource.type.plural, name);
      return this.sendObject(
        req,
        res,
        200,
        resource,
        resource.type.encode(next),
        new URLSearchParams(),
        warnings,
      );
    }
    const stored = this.cluster.asActor(user.name, () =>
      resource.commit ? resource.commit(next, expectedRv) : resource.collection.update(next, expectedRv),
    );
    const after = resource.type.encode(stored);
    if (resource.type.kind !== 'Event') {
      const changes = changesOf(before, after);
      const verb = method === 'PATCH' ? 'patched' : 'updated';
      this.clientEvent(
        user,
        method === 'PATCH' ? 'Patched' : 'Updated',
        `${verb} ${describe(resource, stored)}${subresource ? `/${subresource}` : ''}${changes ? `: ${changes}` : ' (no change)'}`,
        involvedOf(resource, after),
      );
    }
    this.sendObject(req, res, 200, resource, after, new URLSearchParams(), warnings);
  }

  private async remove(
    req: IncomingMessage,
    res: ServerResponse,
    user: ApiUser,
    resource: ServedResource,
    namespace: string | undefined,
    name: string,
    query: URLSearchParams,
  ): Promise<void> {
    const body = await readJson(req, true);
    const params = writeParams(query, body === undefined ? undefined : body);
    const current = resource.collection.require(namespace, name);
    const pre = params.preconditions;
    if (pre?.uid !== undefined && pre.uid !== current.uid)
      throw new StatusError(
        409,
        'Conflict',
        `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${current.uid}`,
        {
          name,
          group: resource.type.group,
          kind: resource.type.plural,
        },
      );
    if (pre?.resourceVersion !== undefined && pre.resourceVersion !== String(current.rv))
      throw new StatusError(
        409,
        'Conflict',
        `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${current.rv}`,
        { name, group: resource.type.group, kind: resource.type.plural },
      );
    const encoded = resource.type.encode(current);
    if (params.dryRun) return this.sendJson(res, 200, encoded);
    const dependents = this.cluster.asActor(user.name, () => {
      const removed = resource.remove
        ? resource.remove(namespace, name)
        : resource.collection.delete(namespace, name);
      return this.collectGarbage(removed, params.propagationPolicy ?? 'Background');
    });
    if (resource.type.kind !== 'Event')
      this.clientEvent(
        user,
        'Deleted',
        `deleted ${describe(resource, current)}${params.propagationPolicy ? ` (propagationPolicy ${params.propagationPolicy})` : ''}${dependents > 0 ? `, and ${dependents} dependent(s)` : ''}`,
        involvedOf(resource, encoded),
      );
    this.sendJson(res, 200, encoded);
  }

  /**
   * The garbage collector's part of a delete, for the stored objects of this cluster: dependents (an
   * ownerReference to the deleted uid) are deleted (Background, Foreground) or released (Orphan).
   */
  private collectGarbage(owner: StoredRecord, policy: NonNullable<WriteParams['propagationPolicy']>): number {
    let count = 0;
    for (const r of this.cluster.resources.values()) {
      // Records of these carry no ownerReferences of their own (pods and leases point at built-in owners).
      if (compactKinds.has(r.type.plural)) continue;
      for (const record of r.collection.list()) {
        const object = (record as StoredRecord & { object?: KObject }).object;
        const refs = object?.metadata.ownerReferences as { uid?: string }[] | undefined;
        if (!object || !refs?.some((ref) => ref.uid === owner.uid)) continue;
        count++;
        if (policy === 'Orphan') {
          const kept = refs.filter((ref) => ref.uid !== owner.uid);
          r.collection.update({
            ...record,
            object: {
              ...object,
              metadata: { ...object.metadata, ownerReferences: kept.length > 0 ? kept : undefined },
            },
          } as StoredRecord);
        } else if (r.remove) r.remove(record.namespace, record.name);
        else r.collection.delete(record.namespace, record.name);
      }
    }
    return count;
  }

  /** Records a client's write as an Event on the object written (namespace `default` if cluster-scoped). */
  private clientEvent(
    user: ApiUser,
    reason: string,
    message: string,
    involved: { kind: string; name: string; namespace?: string; uid?: string; apiVersion: string },
  ): void {
    this.cluster.recordEvent({
      involved,
      reason,
      message: `${user.name} ${message}`,
      component: AUDIT_COMPONENT,
    });
  }

  /** A generateName suffix: five characters, deterministic per server (no Math.random in the simulator). */
  private suffix(): string {
    const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
    let n = this.generated++ * 7919 + 104_729;
    let text = '';
    for (let i = 0; i < 5; i++) {
      text += alphabet[n % alphabet.length];
      n = Math.floor(n / alphabet.length) + i * 31;
    }
    return text;
  }

  // ---- responses ---------------------------------------------------------------------------------

  private sendObject(
    req: IncomingMessage,
    res: ServerResponse,
    code: number,
    resource: ServedResource,
    object: KObject,
    query: URLSearchParams,
    warnings: string[] = [],
  ): void {
    if (wantsTable(req)) {
      const table = toTable(
        resource.type.kind,
        [object],
        String(object.metadata.resourceVersion),
        this.options.now(),
        query.get('includeObject'),
      );
      this.sendJson(res, code, table, warningHeaders(warnings));
      return;
    }
    this.sendJson(res, code, object, warningHeaders(warnings));
  }

  private sendJson(
    res: ServerResponse,
    code: number,
    body: unknown,
    headers: Record<string, string> = {},
  ): void {
    if (res.headersSent || res.destroyed) {
      if (!res.writableEnded) res.end();
      return;
    }
    const text = JSON.stringify(body);
    res.writeHead(code, {
      'Content-Type': 'application/json',
      'Content-Length': Buffer.byteLength(text),
      ...headers,
    });
    res.end(text);
  }

  private sendText(res: ServerResponse, code: number, text: string): void {
    res.writeHead(code, { 'Content-Type': 'text/plain' });
    res.end(text);
  }

  private fail(res: ServerResponse, error: unknown): void {
    if (error instanceof StatusError) {
      this.sendJson(res, error.code, error.toStatus(), error.headers);
      return;
    }
    const message = error instanceof Error ? error.message : String(error);
    this.sendJson(res, 500, statusObject(500, 'InternalError', `Internal error occurred: ${message}`));
  }
}

function wantsTable(req: IncomingMessage): boolean {
  const accept = req.headers.accept ?? '';
  return /as=Table/.test(accept.split(',')[0] ?? '');
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function conflictExists(resource: ServedResource, name: string): StatusError {
  const what = resource.type.group ? `${resource.type.plural}.${resource.type.group}` : resource.type.plural;
  return new StatusError(409, 'AlreadyExists', `${what} "${name}" already exists`, {
    name,
    group: resource.type.group,
    kind: resource.type.plural,
  });
}

/** `Warning` headers (RFC 7234 code 299), as the API server sends them. */
function warningHeaders(warnings: string[]): Record<string, string> {
  return warnings.length > 0 ? { Warning: warnings.map((w) => `299 - ${JSON.stringify(w)}`).join(', ') } : {};
}

const describe = (resource: ServedResource, record: StoredRecord) =>
  `${resource.type.singular} ${record.namespace ? `${record.namespace}/` : ''}${record.name}`;

const involvedOf = (resource: ServedResource, object: KObject) => ({
  kind: resource.type.kind,
  name: String(object.metadata.name),
  ...(object.metadata.namespace ? { namespace: String(object.metadata.namespace) } : {}),
  uid: String(object.metadata.uid ?? ''),
  apiVersion: resource.type.group ? `${resource.type.group}/${resource.type.version}` : resource.type.version,
});

/** A short account of what a write changed: annotations, labels, spec and status fields (values cut short). */
function changesOf(before: KObject, after: KObject): string {
  const out: string[] = [];
  const show = (v: unknown) => {
    const text = v === undefined ? '(removed)' : typeof v === 'string' ? v : JSON.stringify(v);
    return text.length > 100 ? `${text.slice(0, 97)}...` : text;
  };
  const compare = (
    a: Record<string, unknown> | undefined,
    b: Record<string, unknown> | undefined,
    label: (k: string) => string,
  ) => {
    for (const key of new Set([...Object.keys(a ?? {}), ...Object.keys(b ?? {})])) {
      const [x, y] = [a?.[key], b?.[key]];
      if (JSON.stringify(x) !== JSON.stringify(y)) out.push(`${label(key)}=${show(y)}`);
    }
  };
  const meta = (o: KObject, part: string) => o.metadata[part] as Record<string, unknown> | undefined;
  compare(meta(before, 'labels'), meta(after, 'labels'), (k) => `metadata.labels[${k}]`);
  compare(meta(before, 'annotations'), meta(after, 'annotations'), (k) => `metadata.annotations[${k}]`);
  for (const part of ['spec', 'data', 'status'] as const) {
    const [a, b] = [before[part], after[part]];
    if (typeof a === 'object' && typeof b === 'object' && a !== null && b !== null && !Array.isArray(a))
      compare(a as Record<string, unknown>, b as Record<string, unknown>, (k) => `${part}.${k}`);
    else if (JSON.stringify(a) !== JSON.stringify(b)) out.push(`${part}=${show(b)}`);
  }
  return out.length > 8 ? `${out.slice(0, 8).join(', ')}, and ${out.length - 8} more` : out.join(', ');
}

/**
 * Reads a JSON body (at most 3 MiB, as the API server's limit). An empty body is `{}`, or `undefined`
 * when `optional`.
 */
async function readJson(req: IncomingMessage, optional = false): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 3 * 1024 * 1024)
      throw new StatusError(413, 'RequestEntityTooLarge', 'request entity too large');
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return optional ? undefined : {};
  try {
    return JSON.parse(text);
  } catch (error) {
    throw badRequest(`the request body is not valid JSON: ${(error as Error).message}`);
  }
}
