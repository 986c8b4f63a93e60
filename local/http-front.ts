/**
 * The local HTTP front: a small `node:http` server standing in for API Gateway HTTP API (payload format
 * 2.0). Each request is matched against routes (`METHOD /path/{param}/{greedy+}`, or `$default`), turned into
 * an `APIGatewayProxyEventV2`, passed to the route's handler, and the handler's result written back as
 * API Gateway would (structured result, or any other value as a 200 JSON body; a thrown error is a 500).
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyResultV2,
  APIGatewayProxyStructuredResultV2,
} from 'aws-lambda';

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
}

/** A running front. */
export interface HttpFront {
  url: string;
  port: number;
  server: Server;
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

/** Finds the route for a request, most specific first (literal segments before parameters, like API Gateway). */
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

/** Builds the v2 event for a request whose body has been read. */
export function toApiGatewayEvent(
  req: IncomingMessage,
  body: Buffer,
  routeKey: string,
  pathParameters: Record<string, string> | undefined,
): APIGatewayProxyEventV2 {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!.toLowerCase();
    const value = req.rawHeaders[i + 1]!;
    if (name === 'cookie') cookies.push(...value.split(';').map((c) => c.trim()));
    else headers[name] = headers[name] === undefined ? value : `${headers[name]},${value}`;
  }
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams)
    query[name] = query[name] === undefined ? value : `${query[name]},${value}`;
  const contentType = headers['content-type'] ?? '';
  const text = body.toString('utf8');
  // Like API Gateway: textual bodies as text, anything else (or bytes that are not UTF-8) base64-encoded.
  const asText = body.length === 0 || (TEXTUAL.test(contentType) && Buffer.from(text, 'utf8').equals(body));
  const now = new Date();
  return {
    version: '2.0',
    routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
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
        path: url.pathname,
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

/** Writes a handler's result the way API Gateway (payload format 2.0) does. */
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
    res.writeHead(result.statusCode, headers);
    res.end(body);
    return;
  }
  const body = Buffer.from(typeof result === 'string' ? result : JSON.stringify(result));
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(body.length) });
  res.end(body);
}

function json(res: ServerResponse, status: number, message: string): void {
  const body = JSON.stringify({ message });
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(body)),
  });
  res.end(body);
}

/** Starts the front on loopback. */
export async function startHttpFront(options: HttpFrontOptions): Promise<HttpFront> {
  const routes = options.routes.map(compile).sort((a, b) => specificity(b) - specificity(a));
  const limit = options.maxBodyBytes ?? 10 * 1024 * 1024;
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const found = findRoute(routes, req.method ?? 'GET', path);
    if (found === null) {
      req.resume();
      json(res, 404, 'Not Found');
      return;
    }
    const declared = Number(req.headers['content-length'] ?? '0');
    if (declared > limit) {
      // Answer first, then drop the connection instead of reading a body that will not be used.
      res.once('finish', () => req.destroy());
      res.setHeader('connection', 'close');
      json(res, 413, 'Request Entity Too Large');
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let aborted = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit && !aborted) {
        aborted = true;
        res.once('finish', () => req.destroy());
        res.setHeader('connection', 'close');
        json(res, 413, 'Request Entity Too Large');
        return;
      }
      if (!aborted) chunks.push(chunk);
    });
    req.on('error', () => {
      aborted = true;
    });
    req.on('end', () => {
      if (aborted) return;
      const event = toApiGatewayEvent(req, Buffer.concat(chunks), found.route.routeKey, found.pathParameters);
      Promise.resolve()
        .then(() => found.route.handler(event))
        .then(
          (result) => writeResult(res, result),
          (error: unknown) => {
            process.stderr.write(
              `http front: ${found.route.routeKey}: ${(error as Error)?.stack ?? String(error)}\n`,
            );
            json(res, 500, 'Internal Server Error');
          },
        );
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
