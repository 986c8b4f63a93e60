/**
 * The Kubernetes API of one simulated cluster over HTTPS on 127.0.0.1: bearer-token authentication and
 * authorisation, discovery, list (selectors, limit/continue), get, create, update (PUT with
 * resourceVersion preconditions), patch (merge, strategic merge, JSON patch), delete, watch (resourceVersion,
 * bookmarks, 410 Gone), pods/eviction, Table output for kubectl, errors as Status objects.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { ServedResource, SimCluster } from './cluster.ts';
import { apiGroup, apiGroupList, apiResourceList, apiVersions, versionInfo } from './discovery.ts';
import { applyPatch, PatchError } from './patch.ts';
import { parseFieldSelector, parseLabelSelector, SelectorError } from './selectors.ts';
import { badRequest, StatusError, statusObject } from './status.ts';
import { type ChangeEvent, Collection, deliver, type KObject, type Watcher } from './store.ts';
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
  | { kind: 'timeout'; ms: number };

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

/** One cluster's API server. */
export class ApiServer {
  private readonly server: Server;
  private readonly options: ApiServerOptions;
  private readonly openWatches = new Set<() => void>();
  private readonly sockets = new Set<Duplex>();
  /** Requests served (all kinds), for benchmarks. */
  requests = 0;

  constructor(options: ApiServerOptions) {
    this.options = options;
    this.server = createServer({ key: options.tls.key, cert: options.tls.cert }, (req, res) => {
      this.requests++;
      this.handle(req, res).catch((error: unknown) => this.fail(res, error));
    });
    // client-node opens a new TLS connection per request: idle ones must not pile up (memory).
    this.server.keepAliveTimeout = 5000;
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
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

  // ---- request handling --------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const method = req.method ?? 'GET';
    if (path === '/healthz' || path === '/livez' || path === '/readyz') return this.sendText(res, 200, 'ok');

    const user = this.authenticate(req);
    if (!user) throw new StatusError(401, 'Unauthorized', 'Unauthorized');

    const discovery = this.discovery(path, req);
    if (discovery !== undefined) {
      if (discovery === null)
        throw new StatusError(404, 'NotFound', 'the server could not find the requested resource');
      return this.sendJson(res, 200, discovery);
    }

    const fault = this.options.fault?.(method, path) ?? { kind: 'none' };
    if (fault.kind === 'timeout') {
      await sleep(fault.ms);
      req.socket.destroy();
      return;
    }
    if (fault.kind === 'delay') await sleep(fault.ms);
    if (fault.kind === 'status') {
      if (fault.delayMs) await sleep(fault.delayMs);
      throw fault.error;
    }

    const route = this.route(path, url.searchParams);
    if (!route) throw new StatusError(404, 'NotFound', 'the server could not find the requested resource');
    const { resource, namespace, name, subresource, watch } = route;
    const verb = this.verb(method, name, subresource, watch || isTrue(url.searchParams.get('watch')));
    this.authorize(user, verb, resource, namespace, name, subresource);
    const query = url.searchParams;

    switch (verb) {
      case 'list':
        return this.list(req, res, resource, namespace, query);
      case 'watch':
        return this.watch(req, res, resource, namespace, name, query);
      case 'get': {
        const record = resource.collection.require(namespace, name!);
        return this.sendObject(req, res, 200, resource, resource.type.encode(record), query);
      }
      case 'create':
        return this.create(req, res, resource, namespace, name, subresource);
      case 'update':
        return this.write(req, res, resource, namespace, name!, subresource, 'PUT');
      case 'patch':
        return this.write(req, res, resource, namespace, name!, subresource, 'PATCH');
      case 'delete': {
        const record = resource.remove
          ? resource.remove(namespace, name!)
          : resource.collection.delete(namespace, name!);
        return this.sendJson(res, 200, resource.type.encode(record));
      }
      default:
        throw new StatusError(
          405,
          'MethodNotAllowed',
          `the server does not allow this method on the requested resource`,
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

  /** Discovery documents; `undefined` when the path is not a discovery path, `null` for an unknown one. */
  private discovery(path: string, req: IncomingMessage): object | null | undefined {
    const resources = this.options.cluster.resources.values();
    if (path === '/version') return versionInfo;
    if (path === '/api') return apiVersions(req.headers.host ?? '127.0.0.1');
    if (path === '/apis') return apiGroupList(resources);
    if (path === '/api/v1') return apiResourceList(resources, '', 'v1') ?? null;
    if (path.startsWith('/openapi')) return null;
    const parts = path.split('/').filter(Boolean);
    if (parts[0] === 'apis' && parts.length === 2) return apiGroup(resources, parts[1]!) ?? null;
    if (parts[0] === 'apis' && parts.length === 3)
      return apiResourceList(resources, parts[1]!, parts[2]!) ?? null;
    return undefined;
  }

  private route(
    path: string,
    query: URLSearchParams,
  ):
    | { resource: ServedResource; namespace?: string; name?: string; subresource?: string; watch: boolean }
    | undefined {
    let parts = path.split('/').filter(Boolean).map(decodeURIComponent);
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
    const resource = this.options.cluster.resources.get(`${group}/${version}/${plural}`);
    if (!resource) return undefined;
    if (resource.type.namespaced === false && namespace !== undefined) return undefined;
    void query;
    return { resource, namespace, name, subresource, watch };
  }

  private verb(
    method: string,
    name: string | undefined,
    subresource: string | undefined,
    watch: boolean,
  ): string {
    if (method === 'GET') return watch ? 'watch' : name ? 'get' : 'list';
    if (method === 'POST') return subresource === 'eviction' || !name ? 'create' : 'unknown';
    if (!name) return method === 'DELETE' ? 'deletecollection' : 'unknown';
    if (method === 'PUT') return 'update';
    if (method === 'PATCH') return 'patch';
    if (method === 'DELETE') return 'delete';
    return 'unknown';
  }

  // ---- verbs -------------------------------------------------------------------------------------

  private selectors(resource: ServedResource, query: URLSearchParams) {
    try {
      const labels = parseLabelSelector(query.get('labelSelector') ?? undefined);
      const fields = parseFieldSelector(query.get('fieldSelector') ?? undefined, [
        'metadata.name',
        'metadata.namespace',
        ...resource.type.fieldSelectors,
      ]);
      return { labels, fields };
    } catch (error) {
      if (error instanceof SelectorError) throw badRequest(error.message);
      throw error;
    }
  }

  private list(
    req: IncomingMessage,
    res: ServerResponse,
    resource: ServedResource,
    namespace: string | undefined,
    query: URLSearchParams,
  ): void {
    const { labels, fields } = this.selectors(resource, query);
    const type = resource.type;
    let records = resource.collection
      .list(namespace)
      .filter((r) => labels(r.labels) && fields(type.fields(r as never)));
    const continueToken = query.get('continue');
    if (continueToken) {
      let after: string;
      try {
        after = Buffer.from(continueToken, 'base64url').toString('utf8');
      } catch {
        throw badRequest('invalid continue token');
      }
      records = records.filter((r) => Collection.key(r.namespace, r.name) > after);
    }
    const limit = Number(query.get('limit') ?? 0);
    const metadata: Record<string, unknown> = { resourceVersion: String(resource.collection.revision) };
    if (limit > 0 && records.length > limit) {
      const last = records[limit - 1]!;
      metadata.continue = Buffer.from(Collection.key(last.namespace, last.name)).toString('base64url');
      metadata.remainingItemCount = records.length - limit;
      records = records.slice(0, limit);
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
    query: URLSearchParams,
  ): void {
    const { labels, fields } = this.selectors(resource, query);
    const type = resource.type;
    const rvText = query.get('resourceVersion');
    const sinceRv = rvText && rvText !== '0' ? Number(rvText) : undefined;
    if (rvText && !Number.isFinite(Number(rvText))) throw badRequest(`invalid resource version: "${rvText}"`);
    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' });
    res.flushHeaders();
    const write = (line: string) => {
      if (!res.writableEnded) res.write(`${line}\n`);
    };
    // `kubectl get -w` asks for Tables: each event then carries a one-row Table, as on a real server.
    const asTable = wantsTable(req);
    const tableRow = (json: string) =>
      JSON.stringify(
        toTable(type.kind, [JSON.parse(json) as KObject], '', this.options.now(), query.get('includeObject')),
      );
    const watcher: Watcher = {
      namespace,
      matches: (l, f) => labels(l) && fields(f) && (name === undefined || f['metadata.name'] === name),
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
    if (sinceRv === undefined) {
      for (const record of resource.collection.list(namespace)) {
        if (watcher.matches(record.labels, type.fields(record as never)))
          watcher.send('ADDED', JSON.stringify(type.encode(record as never)));
      }
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
    if (isTrue(query.get('allowWatchBookmarks'))) {
      const apiVersion = type.group ? `${type.group}/${type.version}` : type.version;
      timers.push(
        setInterval(() => {
          write(
            JSON.stringify({
              type: 'BOOKMARK',
              object: {
                kind: type.kind,
                apiVersion,
                metadata: { resourceVersion: String(resource.collection.revision) },
              },
            }),
          );
        }, this.options.bookmarkEveryMs),
      );
    }
    const timeoutSeconds = Number(query.get('timeoutSeconds') ?? 0);
    if (timeoutSeconds > 0) timers.push(setTimeout(close, timeoutSeconds * 1000));
    req.on('close', close);
    res.on('close', close);
  }

  private async create(
    req: IncomingMessage,
    res: ServerResponse,
    resource: ServedResource,
    namespace: string | undefined,
    name: string | undefined,
    subresource: string | undefined,
  ): Promise<void> {
    const body = await readJson(req);
    if (subresource === 'eviction') {
      if (resource.type.plural !== 'pods' || !namespace || !name)
        throw new StatusError(404, 'NotFound', 'the server could not find the requested resource');
      const eviction = body as { kind?: string; metadata?: { name?: string } };
      if (eviction.kind !== undefined && eviction.kind !== 'Eviction')
        throw badRequest(`expected an Eviction, got kind "${eviction.kind}"`);
      if (eviction.metadata?.name !== undefined && eviction.metadata.name !== name)
        throw badRequest(`name in URL does not match name in Eviction object`);
      const dryRun = new URL(req.url ?? '/', 'http://x').searchParams.get('dryRun') === 'All';
      this.options.cluster.evictPod(namespace, name, dryRun);
      return this.sendJson(res, 201, statusObject(201, '', ''));
    }
    if (!resource.fromCreate)
      throw new StatusError(405, 'MethodNotAllowed', `create is not supported on ${resource.type.plural}`);
    const record = resource.collection.create(resource.fromCreate(body as KObject, namespace));
    this.sendJson(res, 201, resource.type.encode(record));
  }

  private async write(
    req: IncomingMessage,
    res: ServerResponse,
    resource: ServedResource,
    namespace: string | undefined,
    name: string,
    subresource: string | undefined,
    method: 'PUT' | 'PATCH',
  ): Promise<void> {
    const body = await readJson(req);
    const current = resource.collection.require(namespace, name);
    let object: KObject;
    if (method === 'PATCH') {
      try {
        object = applyPatch(
          resource.type.encode(current) as never,
          req.headers['content-type'] ?? '',
          body,
        ) as KObject;
      } catch (error) {
        if (error instanceof PatchError) {
          const code = /unsupported patch type/.test(error.message) ? 415 : 422;
          throw new StatusError(code, code === 415 ? 'UnsupportedMediaType' : 'Invalid', error.message);
        }
        throw error;
      }
    } else {
      object = body as KObject;
      if (typeof object !== 'object' || object === null || typeof object.metadata !== 'object')
        throw badRequest('the body must be an object with metadata');
    }
    const rvText = object.metadata?.resourceVersion;
    const expectedRv = rvText === undefined || rvText === '' ? undefined : Number(rvText);
    const build =
      subresource === 'status' ? resource.fromStatusWrite : subresource ? undefined : resource.fromWrite;
    if (!build) throw new StatusError(405, 'MethodNotAllowed', `${method} is not supported on this resource`);
    const next = build(object, current);
    const stored = resource.commit
      ? resource.commit(next, expectedRv)
      : resource.collection.update(next, expectedRv);
    this.sendObject(req, res, 200, resource, resource.type.encode(stored), new URLSearchParams());
  }

  // ---- responses ---------------------------------------------------------------------------------

  private sendObject(
    req: IncomingMessage,
    res: ServerResponse,
    code: number,
    resource: ServedResource,
    object: KObject,
    query: URLSearchParams,
  ): void {
    if (wantsTable(req)) {
      const table = toTable(
        resource.type.kind,
        [object],
        String(object.metadata.resourceVersion),
        this.options.now(),
        query.get('includeObject'),
      );
      this.sendJson(res, code, table);
      return;
    }
    this.sendJson(res, code, object);
  }

  private sendJson(
    res: ServerResponse,
    code: number,
    body: unknown,
    headers: Record<string, string> = {},
  ): void {
    if (res.headersSent) {
      res.end();
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

function isTrue(value: string | null): boolean {
  return value === 'true' || value === '1';
}

function wantsTable(req: IncomingMessage): boolean {
  const accept = req.headers.accept ?? '';
  return /as=Table/.test(accept.split(',')[0] ?? '');
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 3 * 1024 * 1024)
      throw new StatusError(413, 'RequestEntityTooLarge', 'request entity too large');
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    throw badRequest('the request body is not valid JSON');
  }
}
