/**
 * Receiving one webhook delivery, purely: size, content type, authentication (over the raw bytes, before
 * parsing), schema, normalisation and the noise filter. Replay protection and enqueueing need the table
 * and the queue, so the handler does them with the result.
 */
import type { JsonWebKey } from 'node:crypto';
import { authenticate } from './auth.ts';
import type { WebhookConfig } from './config.ts';
import { DeliveryRejectedError, MalformedPayloadError, UnauthorizedDeliveryError } from './errors.ts';
import { type Headers, parsePayload, type SourceNormaliser } from './hint.ts';
import { type FilteredDelivery, filterNoise } from './noise.ts';
import { GOOGLE_JWKS_URI } from './oidc.ts';
import { acr, distribution } from './sources/distribution.ts';
import { dockerhub } from './sources/dockerhub.ts';
import { ecr } from './sources/ecr.ts';
import { gar } from './sources/gar.ts';
import { github } from './sources/github.ts';
import { harbor } from './sources/harbor.ts';
import { jfrog } from './sources/jfrog.ts';
import { quay } from './sources/quay.ts';

/** Webhook providers by route name (`POST /hooks/<provider>`). GitLab's registry is a distribution fork. */
export const PROVIDERS: Readonly<Record<string, SourceNormaliser<never>>> = {
  distribution,
  gitlab: distribution,
  harbor,
  quay,
  dockerhub,
  github,
  acr,
  jfrog,
  gar,
  ecr,
} as unknown as Record<string, SourceNormaliser<never>>;

/** One HTTP delivery as the receiver sees it. */
export interface Delivery {
  /** Route name, e.g. `github`. */
  provider: string;
  /** Lowercase header names. */
  headers: Headers;
  /** The raw body bytes (signatures are over these). */
  body: Buffer;
  /** Secret token from the URL path or query, if any. */
  urlToken: string | null;
  /** ISO time of receipt. */
  receivedAt: string;
  /** Public keys per JWKS URI for `oidc` authentication (see {@link jwksUrisOf}). */
  jwks?: ReadonlyMap<string, readonly JsonWebKey[]>;
}

/** The JWKS URIs a provider's `oidc` methods need, so that the caller can fetch the keys first. */
export function jwksUrisOf(config: WebhookConfig, provider: string): string[] {
  const auths = Object.hasOwn(config.providers, provider) ? (config.providers[provider]?.auth ?? []) : [];
  return auths.flatMap((a) => (a.kind === 'oidc' ? [a.jwksUri ?? GOOGLE_JWKS_URI] : []));
}

function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}

/**
 * Validates, authenticates and normalises one delivery.
 * @returns the pushes to enqueue (possibly none: noise) and what was dropped, with reasons.
 * @throws DeliveryRejectedError with the HTTP status to answer: 404 unknown provider, 413 too large,
 *   415 wrong content type, 401 not authentic (generic), 400 malformed.
 */
export function receiveDelivery(config: WebhookConfig, delivery: Delivery): FilteredDelivery {
  const normaliser = Object.hasOwn(PROVIDERS, delivery.provider) ? PROVIDERS[delivery.provider] : undefined;
  if (normaliser === undefined) throw new DeliveryRejectedError(404, `no webhook for "${delivery.provider}"`);
  if (delivery.body.length > config.maxBodyBytes) {
    throw new DeliveryRejectedError(413, `body larger than ${config.maxBodyBytes} bytes`);
  }
  const type = mediaType(delivery.headers['content-type']);
  if (!normaliser.contentTypes.includes(type)) {
    throw new DeliveryRejectedError(415, `content type must be one of ${normaliser.contentTypes.join(', ')}`);
  }
  const provider = Object.hasOwn(config.providers, delivery.provider)
    ? config.providers[delivery.provider]
    : undefined;
  authenticate(provider?.auth ?? [], {
    headers: delivery.headers,
    body: delivery.body,
    urlToken: delivery.urlToken,
    ...(delivery.jwks ? { jwks: delivery.jwks } : {}),
    nowSeconds: Date.parse(delivery.receivedAt) / 1000,
  });

  let json: unknown;
  try {
    json = JSON.parse(delivery.body.toString('utf8'));
  } catch {
    throw new MalformedPayloadError(normaliser.source, 'body is not JSON');
  }
  const payload = parsePayload(normaliser, json);
  const hints = normaliser.hints(payload, delivery.headers);
  if (normaliser === ecr && provider?.allowedAccounts !== undefined) {
    const account = (payload as unknown as { account: string }).account;
    if (!provider.allowedAccounts.includes(account)) throw new UnauthorizedDeliveryError();
  }
  return filterNoise(normaliser.source, hints, delivery.receivedAt);
}
