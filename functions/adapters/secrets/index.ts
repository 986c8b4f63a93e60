/**
 * Secrets: values kept in AWS Secrets Manager (cluster bearer tokens, registry credentials, webhook secrets),
 * read with a short cache so a warm function does not call Secrets Manager for every cluster request.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CredentialsError, staticTokens, type TokenSource } from './tokens.ts';

/** How long a read secret is reused. Rotated tokens are picked up within this time. */
export const SECRET_CACHE_MS = 5 * 60_000;

/** Reads secret strings by id or ARN, caching each for {@link SECRET_CACHE_MS}. */
export class SecretReader {
  readonly #client: SecretsManagerClient;
  readonly #now: () => number;
  readonly #cache = new Map<string, { value: Promise<string>; at: number }>();

  constructor(client: SecretsManagerClient = new SecretsManagerClient({}), now: () => number = Date.now) {
    this.#client = client;
    this.#now = now;
  }

  /** The secret's string value; a failed read is not cached. */
  read(secretId: string): Promise<string> {
    const cached = this.#cache.get(secretId);
    if (cached && this.#now() - cached.at < SECRET_CACHE_MS) return cached.value;
    const value = this.#client.send(new GetSecretValueCommand({ SecretId: secretId })).then((out) => {
      if (out.SecretString === undefined)
        throw new CredentialsError(`secret ${secretId} has no string value`);
      return out.SecretString;
    });
    value.catch(() => this.#cache.delete(secretId));
    this.#cache.set(secretId, { value, at: this.#now() });
    return value;
  }
}

/**
 * Cluster bearer tokens from Secrets Manager: a cluster registered with `credentials.secretName` reads the
 * secret of that name. The value is the token itself, or JSON with a `token` field.
 */
export function secretsManagerTokens(reader: SecretReader = new SecretReader()): TokenSource {
  return {
    async getToken(secretName) {
      const raw = (await reader.read(secretName)).trim();
      if (!raw.startsWith('{')) return raw;
      const parsed = JSON.parse(raw) as { token?: unknown };
      if (typeof parsed.token !== 'string' || parsed.token === '') {
        throw new CredentialsError(`secret ${secretName}: JSON value has no "token" string`);
      }
      return parsed.token;
    },
  };
}

/**
 * Where a Lambda entry point gets cluster tokens: `CLUSTER_TOKENS` (JSON name → token) when set, for local
 * runs and tests; Secrets Manager otherwise, as deployed.
 */
export function clusterTokensFromEnvironment(env: NodeJS.ProcessEnv = process.env): TokenSource {
  if (env.CLUSTER_TOKENS !== undefined)
    return staticTokens(JSON.parse(env.CLUSTER_TOKENS) as Record<string, string>);
  return secretsManagerTokens();
}
