/**
 * The webhook's HTTP decisions, pure: which provider a path names, whether a body is over the limit before
 * it is decoded, and how a delivery whose ids were all seen before is answered.
 */
import type { WebhookConfig } from './config.ts';

/** `/hooks/<provider>[/<token>]` → parts (a stage prefix before `/hooks` is tolerated). */
export function parseHookPath(path: string): { provider: string; token: string | null } | null {
  const match = /(?:^|\/)hooks\/([a-z0-9-]+)(?:\/([^/]+))?\/?$/.exec(path);
  if (!match) return null;
  return { provider: match[1]!, token: match[2] !== undefined ? decodeURIComponent(match[2]) : null };
}

/**
 * True when the body is over `limit` bytes, judged by its encoded length so that nothing larger is ever
 * decoded or hashed: a UTF-8 body has at least as many bytes as UTF-16 units; base64 decodes to at least
 * 3/4 of its length minus padding.
 */
export function bodyOverLimit(raw: string, base64: boolean, limit: number): boolean {
  return base64 ? raw.length > Math.ceil((limit * 4) / 3) + 4 : raw.length > limit;
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

/** Header names lower-cased (HTTP header names are case-insensitive); absent values dropped. */
export function lowercaseHeaders(
  headers: Record<string, string | undefined> | undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {}))
    if (value !== undefined) out[name.toLowerCase()] = value;
  return out;
}
