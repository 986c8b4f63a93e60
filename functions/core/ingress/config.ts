/**
 * Webhook receiver configuration: which providers are enabled and how each authenticates. Loaded from a
 * JSON/YAML object (environment, Secrets Manager on AWS, a local file otherwise) and validated here.
 */
import * as z from 'zod';
import type { SourceAuth } from './auth.ts';

const nonEmpty = z.string().min(1, 'must not be empty');

const SourceAuthSchema: z.ZodType<SourceAuth> = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('hmac-sha256'), secret: nonEmpty, header: z.string().optional() }),
  z.object({ kind: z.literal('jfrog'), secret: nonEmpty, signing: z.boolean().optional() }),
  z.object({ kind: z.literal('header'), header: nonEmpty, value: nonEmpty }),
  z.object({ kind: z.literal('url-token'), token: nonEmpty }),
  z.object({
    kind: z.literal('oidc'),
    audience: nonEmpty,
    email: z.string().optional(),
    issuers: z.array(nonEmpty).optional(),
    jwksUri: z.url().optional(),
  }),
]);

const ProviderConfigSchema = z.object({
  /** Any one of these accepts a delivery. */
  auth: z.array(SourceAuthSchema).min(1, 'at least one authentication method is required'),
  /** ECR only: AWS accounts whose events are accepted (all when absent). */
  allowedAccounts: z.array(z.string().regex(/^[0-9]{12}$/)).optional(),
  /**
   * Status for a delivery whose ids were all seen before. 409 by default; 202 (nothing enqueued either way)
   * suits senders that retry every non-2xx answer forever, like distribution, whose own retry after a lost
   * answer would otherwise block its notification queue.
   */
  replayStatus: z.union([z.literal(409), z.literal(202)]).default(409),
});

/** The receiver configuration schema. */
export const WebhookConfigSchema = z.object({
  /** Largest accepted body in bytes; larger deliveries get 413. */
  maxBodyBytes: z
    .number()
    .int()
    .positive()
    .default(256 * 1024),
  /** How long a delivery id is remembered for replay protection, in seconds. */
  replayWindowSeconds: z
    .number()
    .int()
    .positive()
    .default(7 * 24 * 3600),
  providers: z.record(z.string(), ProviderConfigSchema).default({}),
});

/** Validated receiver configuration. */
export type WebhookConfig = z.infer<typeof WebhookConfigSchema>;
/** One provider's configuration. */
export type ProviderConfig = z.infer<typeof ProviderConfigSchema>;

/** Why a webhook configuration is invalid: names where it came from and the field. */
export class WebhookConfigError extends Error {
  constructor(origin: string, message: string) {
    super(`${origin}: ${message}`);
    this.name = 'WebhookConfigError';
  }
}

/**
 * Validates a configuration object.
 * @param origin where it came from (file name, environment variable, secret id), for the error message.
 * @throws WebhookConfigError naming the field.
 */
export function parseWebhookConfig(value: unknown, origin: string): WebhookConfig {
  const result = WebhookConfigSchema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  throw new WebhookConfigError(origin, `${issue.path.join('.') || '(root)'}: ${issue.message}`);
}

/**
 * The configuration as stored: the full document (`{ providers: { … } }`), or just the providers object
 * keyed by provider name, which is how the stack's webhook secret is described.
 * @throws WebhookConfigError naming `origin` and the field.
 */
export function parseWebhookConfigDocument(value: unknown, origin: string): WebhookConfig {
  const isObject = typeof value === 'object' && value !== null && !Array.isArray(value);
  const full =
    isObject && ('providers' in value || 'maxBodyBytes' in value || 'replayWindowSeconds' in value);
  return parseWebhookConfig(isObject && !full ? { providers: value } : value, origin);
}
