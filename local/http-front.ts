/**
 * The local HTTP front: a small `node:http` server standing in for API Gateway HTTP API (payload format
 * 2.0). Each request is matched against routes (`METHOD /path/{param}/{greedy+}`, or `$default`), turned into
 * an `APIGatewayProxyEventV2`, passed to the route's handler, and the handler's result written back as
 * API Gateway would (structured result, or any other value as a 200 JSON body; a thrown error is a 500).
 *
 * No request can stop it: what the HTTP parser refuses (bad request lines, methods, headers, chunking,
 * lengths) is answered 400/431/408 on the `clientError` event, a malformed request target 400/414
 * (local/request-target.ts), a duplicated single-valued header 400, CONNECT 405; an exception in a route, or
 * a result that cannot be written, is a 500 and the next request is served as usual. Before any body is
 * read, an optional guard (local/admin-guard.ts) refuses what a browser page could send, and while the
 * runtime behind the front is still starting every request is answered 503 with Retry-After.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyResultV2,
  APIGatewayProxyStructuredResultV2,
} from 'aws-lambda';
import type { RequestGuard } from './admin-guard.ts';
import { parseRequestTarget, type RequestTarget, RequestTargetError } from './request-target.ts';

/** A handler of HTTP API v2 events (the Lambda handler signature without the context). */
export type HttpHandler = (
  event: APIGatewayProxyEventV2,
) => Promise<APIGatewayProxyResultV2<unknown>> | APIGatewayProxyResultV2<unknown>;

/** One route: `routeKey` as in API Gateway, e.g. `POST /hooks/{provider}`, `ANY /admin/{proxy+}`, `$default`. */
export interface HttpRoute {
  routeKey: string;
  handler: HttpHandler;
}

/** Options of {@link startHttpFront}. */
export interface HttpFrontOptions {
  routes: HttpRoute[];
  /** 0 (default) picks a free port. */
  port?: number;
  /** Default `127.0.0.1`: the front is for this machine only. */
  host?: string;
  /** Largest request body read, like API Gateway's payload limit (default 10 MiB); larger gets 413. */
  maxBodyBytes?: number;
  /** Checked before a route is looked up or a body read (e.g. {@link createAdminGuard}). */
  guard?: RequestGuard;
  /**
   * Answer every request 503 with `Retry-After` until {@link HttpFront.ready} is called: the front listens
   * while what its routes need is still starting (senders retry; nothing is accepted half-started).
   */
  holdUntilReady?: boolean;
  /** `Retry-After` of the 503 while starting, in seconds. Default 2. */
  retryAfterSeconds?: number;
}

/** A running front. */
export interface HttpFront {
  /** Where clients reach it (`http://127.0.0.1:PORT` when bound to every interface). */
  url: string;
  port: number;
  server: Server;
  /** Starts serving the routes (see {@link HttpFrontOptions.holdUntilReady}). Idempotent. */
  ready(): void;
  close(): Promise<void>;
}

interface CompiledRoute {
  routeKey: string;
  method: string;
  pattern: RegExp | null;
  params: string[];
  handler: HttpHandler;
}

/** Compiles a route key; throws for a malformed one (a programming error in the route table). */
function compile(route: HttpRoute): CompiledRoute {
  if (route.routeKey === '$default') {
    return { routeKey: '$default', method: 'ANY', pattern: null, params: [], handler: route.handler };
  }
  const match = /^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS|ANY) (\/\S*)$/.exec(route.routeKey);
  if (!match) throw new Error(`http front: invalid route key "${route.routeKey}"`);
  const params: string[] = [];
  const source = match[2]!
    .split('/')
    .map((segment) => {
      const param = /^\{([A-Za-z0-9_]+)(\+)?\}$/.exec(segment);
      if (!param) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      params.push(param[1]!);
      return param[2] ? '(.+)' : '([^/]+)';
    })
    .join('/');
  return {
    routeKey: route.routeKey,
    method: match[1]!,
    pattern: new RegExp(`^${source}/?$`),
    params,
    handler: route.handler,
  };
}

/**
 * Finds the route for a request, most specific first (literal segments before parameters, like API Gateway).
 * `path` is a checked raw path (local/request-target.ts): its escapes decode.
 */
function findRoute(routes: CompiledRoute[], method: string, path: string) {
  for (const route of routes) {
    if (route.pattern === null) continue;
    if (route.method !== 'ANY' && route.method !== method) continue;
    const match = route.pattern.exec(path);
    if (!match) continue;
    const pathParameters: Record<string, string> = {};
    route.params.forEach((name, i) => {
      pathParameters[name] = decodeURIComponent(match[i + 1]!);
    });
    return { route, pathParameters };
  }
  const fallback = routes.find((r) => r.pattern === null);
  return fallback ? { route: fallback, pathParameters: undefined } : null;
}

function specificity(route: CompiledRoute): number {
  if (route.pattern === null) return -1;
  const path = route.routeKey.slice(route.routeKey.indexOf(' ') + 1);
  const literal = path.split('/').filter((s) => s !== '' && !s.startsWith('{')).length;
  return literal * 100 - (path.includes('+}') ? 50 : 0) + (route.method === 'ANY' ? 0 : 1);
}

const TEXTUAL = /json|text|xml|x-www-form-urlencoded|javascript/i;

/** Headers a request may carry once: two values of one would leave their meaning to whoever reads first. */
const SINGLE_VALUED = new Set([
  'host',
  'content-type',
  'content-length',
  'authorization',
  'origin',
  'transfer-encoding',
]);

/**
 * Builds the v2 event for a request whose body has been read.
 * @param target the checked request target (default: `req.url` checked here; a bad one throws RequestTargetError)
 */
export function toApiGatewayEvent(
  req: IncomingMessage,
  body: Buffer,
  routeKey: string,
  pathParameters: Record<string, string> | undefined,
  target: RequestTarget = parseRequestTarget(req.url),
): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!.toLowerCase();
    const value = req.rawHeaders[i + 1]!;
    if (name === 'cookie') cookies.push(...value.split(';').map((c) => c.trim()));
    else headers[name] = headers[name] === undefined ? value : `${headers[name]},${value}`;
  }
  const query: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(target.rawQuery))
    query[name] = query[name] === undefined ? value : `${query[name]},${value}`;
  const contentType = headers['content-type'] ?? '';
  const text = body.toString('utf8');
  // Like API Gateway: textual bodies as text, anything else (or bytes that are not UTF-8) base64-encoded.
  const asText = body.length === 0 || (TEXTUAL.test(contentType) && Buffer.from(text, 'utf8').equals(body));
  const now = new Date();
  return {
    version: '2.0',
    routeKey,
    rawPath: target.rawPath,
    rawQueryString: target.rawQuery,
    ...(cookies.length > 0 ? { cookies } : {}),
    headers,
    ...(Object.keys(query).length > 0 ? { queryStringParameters: query } : {}),
    ...(pathParameters && Object.keys(pathParameters).length > 0 ? { pathParameters } : {}),
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: (headers.host ?? 'localhost').split('.')[0]!,
      http: {
        method: req.method ?? 'GET',
        path: target.rawPath,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    ...(body.length > 0 ? { body: asText ? text : body.toString('base64') } : {}),
    isBase64Encoded: !asText,
  };
}

/** Writes a handler's result the way API Gateway (payload format 2.0) does. Throws for an unwritable one. */
function writeResult(res: ServerResponse, result: APIGatewayProxyResultV2<unknown>): void {
  if (
    typeof result === 'object' &&
    result !== null &&
    'statusCode' in result &&
    typeof result.statusCode === 'number'
  ) {
    const structured = result as APIGatewayProxyStructuredResultV2;
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(structured.headers ?? {}))
      headers[name.toLowerCase()] = String(value);
    if (structured.cookies && structured.cookies.length > 0) headers['set-cookie'] = structured.cookies;
    const body =
      structured.body === undefined
        ? Buffer.alloc(0)
        : Buffer.from(structured.body, structured.isBase64Encoded ? 'base64' : 'utf8');
    headers['content-length'] = String(body.length);
    // writeHead checks the status and every header before anything is sent: a throw leaves `res` unsent.
    res.writeHead(result.statusCode, headers);
    res.end(body);
    return;
  }
  const body = Buffer.from(typeof result === 'string' ? result : (JSON.stringify(result) ?? 'null'));
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(body.length) });
  res.end(body);
}

function json(
  res: ServerResponse,
  status: number,
  message: string,
  headers: Record<string, string> = {},
): void {
  const body = JSON.stringify({ message });
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(body)),
  });
  res.end(body);
}

/** Answers and then closes the connection, without reading what is left of the request. */
function refuseAndClose(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  message: string,
  headers: Record<string, string> = {},
): void {
  res.once('finish', () => req.destroy());
  json(res, status, message, { ...headers, connection: 'close' });
}

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  431: 'Request Header Fields Too Large',
};

/** A whole response written straight to a socket the HTTP parser gave up on. */
function rawAnswer(socket: Duplex, status: number, message: string, extra = ''): void {
  const body = JSON.stringify({ message });
  socket.end(
    `HTTP/1.1 ${status} ${REASONS[status] ?? 'Error'}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n${extra}connection: close\r\n\r\n${body}`,
  );
}

/** Why the HTTP parser refused a request, as the status and message to answer. */
function parserRefusal(error: NodeJS.ErrnoException): [number, string] {
  if (error.code === 'HPE_HEADER_OVERFLOW') return [431, 'request line and headers too large'];
  if (error.code === 'HPE_REQUEST_TIMEOUT' || error.code === 'ERR_HTTP_REQUEST_TIMEOUT')
    return [408, 'request not complete in time'];
  const reason = (error as { reason?: string }).reason ?? error.message;
  return [400, `malformed HTTP request (${error.code ?? 'parse error'}: ${reason})`];
}

/** Starts the front (on loopback unless `host` says otherwise). */
export async function startHttpFront(options: HttpFrontOptions): Promise<HttpFront> {
  const routes = options.routes.map(compile).sort((a, b) => specificity(b) - specificity(a));
  const limit = options.maxBodyBytes ?? 10 * 1024 * 1024;
  const retryAfter = String(options.retryAfterSeconds ?? 2);
  let open = !options.holdUntilReady;
  let port = 0;

  const serve = (req: IncomingMessage, res: ServerResponse): void => {
    let target: RequestTarget;
    try {
      target = parseRequestTarget(req.url);
    } catch (error) {
      if (!(error instanceof RequestTargetError)) throw error;
      refuseAndClose(req, res, error.statusCode, error.message);
      return;
    }
    const headers: Record<string, string | undefined> = {};
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      const name = req.rawHeaders[i]!.toLowerCase();
      if (SINGLE_VALUED.has(name) && headers[name] !== undefined) {
        refuseAndClose(req, res, 400, `header ${name} given more than once`);
        return;
      }
      headers[name] = req.rawHeaders[i + 1]!;
    }
    const method = req.method ?? 'GET';
    const refusal = options.guard?.({ method, path: target.rawPath, headers, port });
    if (refusal) {
      refuseAndClose(req, res, refusal.statusCode, refusal.message, refusal.headers);
      return;
    }
    const found = findRoute(routes, method, target.rawPath);
    if (found === null) {
      req.resume();
      json(res, 404, 'Not Found');
      return;
    }
    if (!open) {
      // Nothing is read, claimed or enqueued: the sender retries once the runtime is up.
      refuseAndClose(req, res, 503, 'Strata is starting; retry shortly', { 'retry-after': retryAfter });
      return;
    }
    const declared = Number(headers['content-length'] ?? '0');
    if (declared > limit) {
      // Answer first, then drop the connection instead of reading a body that will not be used.
      refuseAndClose(req, res, 413, 'Request Entity Too Large');
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let aborted = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit && !aborted) {
        aborted = true;
        refuseAndClose(req, res, 413, 'Request Entity Too Large');
        return;
      }
      if (!aborted) chunks.push(chunk);
    });
    req.on('error', () => {
      aborted = true;
    });
    req.on('end', () => {
      if (aborted) return;
      Promise.resolve()
        .then(() =>
          found.route.handler(
            toApiGatewayEvent(req, Buffer.concat(chunks), found.route.routeKey, found.pathParameters, target),
          ),
        )
        .then((result) => writeResult(res, result))
        .catch((error: unknown) => {
          process.stderr.write(
            `http front: ${found.route.routeKey}: ${(error as Error)?.stack ?? String(error)}\n`,
          );
          if (!res.headersSent) json(res, 500, 'Internal Server Error');
          else res.destroy();
        });
    });
  };

  const server = createServer((req, res) => {
    try {
      serve(req, res);
    } catch (error) {
      // A fault of the front itself: this request fails, the server goes on.
      process.stderr.write(`http front: ${(error as Error)?.stack ?? String(error)}\n`);
      if (!res.headersSent) refuseAndClose(req, res, 500, 'Internal Server Error');
      else res.destroy();
    }
  });
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    // A response already under way on this connection cannot be followed by another one.
    const pending = (socket as Socket & { _httpMessage?: ServerResponse })._httpMessage;
    if (error.code === 'ECONNRESET' || !socket.writable || pending?.headersSent) {
      socket.destroy();
      return;
    }
    const [status, message] = parserRefusal(error);
    rawAnswer(socket, status, message);
  });
  // Node hands CONNECT requests to this event (and closes them silently without a listener).
  server.on('connect', (_req: IncomingMessage, socket: Duplex) => {
    rawAnswer(
      socket,
      405,
      'CONNECT is not served (this is no proxy)',
      'allow: GET, HEAD, POST, PUT, DELETE\r\n',
    );
  });
  server.keepAliveTimeout = 5_000;
  // A request must be complete within 30 s (Node's default is 300 s): connections are not held open by
  // half-sent requests.
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  port = address.port;
  const reachable =
    address.address === '0.0.0.0' ? '127.0.0.1' : address.address === '::' ? '::1' : address.address;
  const host = reachable.includes(':') ? `[${reachable}]` : reachable;
  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    server,
    ready: () => {
      open = true;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
