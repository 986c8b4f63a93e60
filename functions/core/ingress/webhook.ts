/**
 * The webhook's HTTP decisions, pure: whether a request is a delivery at all (method, route, size, judged
 * before the body is decoded), and how a delivery whose ids were all seen before is answered.
 */
import type { WebhookConfig } from './config.ts';
import type { Delivery } from './receive.ts';

/** `/hooks/<provider>[/<token>]` → parts (a stage prefix before `/hooks` is tolerated). */
export function parseHookPath(path: string): { provider: string; token: string | null } | null {
  const match = /(?:^|\/)hooks\/([a-z0-9-]+)(?:\/([^/]+))?\/?$/.exec(path);
  if (!match) return null;
  return { provider: match[1]!, token: match[2] !== undefined ? decodeURIComponent(match[2]) : null };
}

/** An HTTP request as the webhook gets it (API Gateway HTTP API v2 fields). */
export interface HookRequest {
  method: string | undefined;
  rawPath: string | undefined;
  pathParameters?: Record<string, string | undefined> | undefined;
  queryStringParameters?: Record<string, string | undefined> | undefined;
  headers?: Record<string, string | undefined> | undefined;
  body?: string | undefined;
  isBase64Encoded: boolean;
}

/**
 * The delivery a request carries (without keys and time), or the answer to a request that is none: 405 not
 * POST, 404 no such webhook, 413 over `maxBodyBytes`. The size is judged by the encoded length so that
 * nothing larger is decoded or hashed: a UTF-8 body has at least as many bytes as UTF-16 units; base64
 * decodes to at least 3/4 of its length minus padding.
 */
export function hookDelivery(
  config: WebhookConfig,
  req: HookRequest,
): Omit<Delivery, 'receivedAt' | 'jwks'> | { status: number; error: string } {
  if (req.method && req.method !== 'POST') return { status: 405, error: 'use POST' };
  const params = req.pathParameters;
  const route = params?.provider
    ? { provider: params.provider, token: params.token ?? null }
    : parseHookPath(req.rawPath ?? '');
  if (route === null) return { status: 404, error: 'no such webhook' };
  const raw = req.body ?? '';
  const limit = config.maxBodyBytes;
  if (req.isBase64Encoded ? raw.length > Math.ceil((limit * 4) / 3) + 4 : raw.length > limit) {
    return { status: 413, error: `body larger than ${limit} bytes` };
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers ?? {}))
    if (value !== undefined) headers[name.toLowerCase()] = value;
  return {
    provider: route.provider,
    headers,
    body: Buffer.from(raw, req.isBase64Encoded ? 'base64' : 'utf8'),
    urlToken: route.token ?? req.queryStringParameters?.token ?? null,
  };
}

/** The answer to a delivery whose every push was seen before: 409, or 202 for providers that retry on 4xx. */
export function replayAnswer(
  config: WebhookConfig,
  provider: string,
  replayed: number,
): { status: number; body: Record<string, unknown> } {
  const status = config.providers[provider]?.replayStatus ?? 409;
  return {
    status,
    body: status === 409 ? { error: 'delivery already received' } : { accepted: 0, replayed },
  };
}
