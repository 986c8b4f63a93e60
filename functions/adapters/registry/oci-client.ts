/**
 * OCI distribution client: resolves `repo:tag` to the digest the tag points at, the way registries.md §8
 * prescribes: `HEAD /v2/<name>/manifests/<tag>` with every manifest and index type in `Accept` (so a
 * multi-arch tag yields the index digest), `Docker-Content-Digest` read from the answer, or the manifest
 * fetched and hashed when a registry omits it. Bearer tokens from the `WWW-Authenticate` challenge are
 * cached per (realm, service, scope); Basic auth is sent when the registry asks for it.
 */
import { createHash } from 'node:crypto';
import { MANIFEST_MEDIA_TYPES, SHA256_DIGEST } from '../../core/ingress/media-types.ts';
import type {
  DigestImage,
  ManifestDeleter,
  ResolvedTag,
  TaggedImage,
  TagResolver,
} from '../../core/registry.ts';
import type { RegistryCredentials, RegistryHostConfig } from './credentials.ts';
import {
  ManifestUnknownError,
  RegistryAuthError,
  RegistryProtocolError,
  RegistryUnavailableError,
} from './errors.ts';
import { backoffDelay, DEFAULT_RETRY, type RetryPolicy, sleep } from './retry.ts';
import { type Challenge, parseChallenge } from './www-authenticate.ts';

export type { ResolvedTag, TaggedImage, TagResolver } from '../../core/registry.ts';

/** Options of {@link OciRegistryClient}. */
export interface OciClientOptions {
  credentials: RegistryCredentials;
  fetch?: typeof fetch;
  retry?: RetryPolicy;
  /** Per-request timeout. */
  timeoutMs?: number;
  /** Clock for token expiry. */
  now?: () => number;
}

/** The `Accept` header of every manifest request: all four types, indexes first. */
export const MANIFEST_ACCEPT = MANIFEST_MEDIA_TYPES.join(', ');

const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?$/;

/** Base URL of a registry's API: the configured endpoint, else http for loopback/insecure hosts, else https. */
export function registryBaseUrl(host: string, config: RegistryHostConfig | undefined): string {
  if (config?.endpoint) return config.endpoint.replace(/\/+$/, '');
  const apiHost = host === 'docker.io' ? 'registry-1.docker.io' : host;
  const scheme = config?.insecure || LOOPBACK.test(host) ? 'http' : 'https';
  return `${scheme}://${apiHost}`;
}

interface CachedToken {
  token: string;
  expiresAt: number;
}

type Method = 'HEAD' | 'GET' | 'DELETE';

export class OciRegistryClient implements TagResolver, ManifestDeleter {
  private readonly credentials: RegistryCredentials;
  private readonly fetch: typeof fetch;
  private readonly retry: RetryPolicy;
  private readonly timeoutMs: number;
  private readonly now: () => number;
  /** Bearer tokens by `realm|service|scope`. */
  private readonly tokens = new Map<string, CachedToken>();
  /** Last challenge per `base|repository`, so later requests authenticate up front. */
  private readonly challenges = new Map<string, Challenge>();

  constructor(options: OciClientOptions) {
    this.credentials = options.credentials;
    this.fetch = options.fetch ?? globalThis.fetch;
    this.retry = options.retry ?? DEFAULT_RETRY;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  /**
   * Resolves `host/repository:tag` to the digest it points at now.
   * @throws ManifestUnknownError, RegistryAuthError, RegistryUnavailableError, RegistryProtocolError
   */
  async resolveTag(image: TaggedImage): Promise<ResolvedTag> {
    const reference = `${image.host}/${image.repository}:${image.tag}`;
    const config = await this.credentials.forHost(image.host);
    const base = registryBaseUrl(image.host, config);
    const url = `${base}/v2/${image.repository}/manifests/${encodeURIComponent(image.tag)}`;
    const head = await this.authorisedRequest('HEAD', url, base, image.repository, reference, config);
    const mediaType = head.headers.get('content-type');
    const claimed = head.headers.get('docker-content-digest');
    if (claimed !== null && SHA256_DIGEST.test(claimed)) return { digest: claimed, mediaType };
    // Older registries omit the header (or use another algorithm): hash the exact bytes of a GET.
    const get = await this.authorisedRequest('GET', url, base, image.repository, reference, config);
    const body = Buffer.from(await get.arrayBuffer());
    const digest = `sha256:${createHash('sha256').update(body).digest('hex')}`;
    const getClaimed = get.headers.get('docker-content-digest');
    if (getClaimed?.startsWith('sha256:') && getClaimed !== digest) {
      throw new RegistryProtocolError(
        reference,
        `Docker-Content-Digest ${getClaimed} does not match the manifest bytes`,
      );
    }
    return { digest, mediaType: get.headers.get('content-type') ?? mediaType };
  }

  /**
   * GETs a manifest (by tag or digest) or a blob of `host/repository` with the same authentication and
   * retries as {@link resolveTag}; manifests with the full `Accept` list.
   * @throws ManifestUnknownError, RegistryAuthError, RegistryUnavailableError, RegistryProtocolError
   */
  async getContent(
    image: { host: string; repository: string },
    kind: 'manifests' | 'blobs',
    reference: string,
  ): Promise<{ body: Buffer; mediaType: string | null }> {
    const label = `${image.host}/${image.repository}${reference.startsWith('sha256:') ? '@' : ':'}${reference}`;
    const config = await this.credentials.forHost(image.host);
    const base = registryBaseUrl(image.host, config);
    const url = `${base}/v2/${image.repository}/${kind}/${encodeURIComponent(reference)}`;
    const response = await this.authorisedRequest('GET', url, base, image.repository, label, config);
    return {
      body: Buffer.from(await response.arrayBuffer()),
      mediaType: response.headers.get('content-type'),
    };
  }

  /**
   * Deletes the manifest `digest` of `host/repository` (`DELETE /v2/<name>/manifests/<digest>`, token scope
   * `delete`); a manifest already gone is not an error.
   * @throws RegistryProtocolError when the registry does not allow deletes (HTTP 405), RegistryAuthError,
   * RegistryUnavailableError
   */
  async deleteManifest(image: DigestImage): Promise<void> {
    const label = `${image.host}/${image.repository}@${image.digest}`;
    const config = await this.credentials.forHost(image.host);
    const base = registryBaseUrl(image.host, config);
    const url = `${base}/v2/${image.repository}/manifests/${image.digest}`;
    try {
      const response = await this.authorisedRequest('DELETE', url, base, image.repository, label, config);
      await response.body?.cancel();
    } catch (error) {
      if (error instanceof ManifestUnknownError) return;
      throw error;
    }
  }

  private async authorisedRequest(
    method: Method,
    url: string,
    base: string,
    repository: string,
    reference: string,
    config: RegistryHostConfig | undefined,
  ): Promise<Response> {
    const challengeKey = `${base}|${repository}`;
    const known = this.challenges.get(challengeKey);
    const action = method === 'DELETE' ? 'delete' : 'pull';
    let authorization = await this.authorization(known ?? null, repository, action, reference, config, false);
    let response = await this.send(method, url, authorization, reference);
    if (response.status === 401) {
      await response.body?.cancel();
      const challenge = parseChallenge(response.headers.get('www-authenticate'));
      if (challenge === null)
        throw new RegistryAuthError(reference, 'registry gave no WWW-Authenticate challenge');
      this.challenges.set(challengeKey, challenge);
      authorization = await this.authorization(challenge, repository, action, reference, config, true);
      if (authorization === null)
        throw new RegistryAuthError(reference, `no credentials for ${challenge.scheme} auth`);
      response = await this.send(method, url, authorization, reference);
    }
    if (response.status === 401 || response.status === 403) {
      await response.body?.cancel();
      throw new RegistryAuthError(reference, `HTTP ${response.status}`);
    }
    if (response.status === 404) {
      await response.body?.cancel();
      throw new ManifestUnknownError(reference);
    }
    if (response.status === 405 && method === 'DELETE') {
      await response.body?.cancel();
      throw new RegistryProtocolError(
        reference,
        'HTTP 405: the registry does not allow deletes (docker-registry: REGISTRY_STORAGE_DELETE_ENABLED=true)',
      );
    }
    if (response.status !== (method === 'DELETE' ? 202 : 200)) {
      await response.body?.cancel();
      throw new RegistryProtocolError(reference, `unexpected HTTP ${response.status}`);
    }
    return response;
  }

  /** The Authorization header for a challenge, fetching (or reusing) a bearer token; `null` for none. */
  private async authorization(
    challenge: Challenge | null,
    repository: string,
    action: 'pull' | 'delete',
    reference: string,
    config: RegistryHostConfig | undefined,
    fresh: boolean,
  ): Promise<string | null> {
    if (config?.token) return `Bearer ${config.token}`;
    const basic =
      config?.username !== undefined
        ? `Basic ${Buffer.from(`${config.username}:${config.password ?? ''}`).toString('base64')}`
        : null;
    if (challenge === null) return null;
    if (challenge.scheme === 'basic') return basic;
    if (challenge.scheme !== 'bearer' || !challenge.params.realm) {
      throw new RegistryAuthError(reference, `unsupported challenge ${challenge.scheme}`);
    }
    const realm = challenge.params.realm;
    const service = challenge.params.service ?? '';
    const scope = `repository:${repository}:${action}`;
    const key = `${realm}|${service}|${scope}`;
    const cached = this.tokens.get(key);
    if (!fresh && cached !== undefined && cached.expiresAt > this.now()) return `Bearer ${cached.token}`;
    const token = await this.fetchToken(realm, service, scope, basic, reference);
    this.tokens.set(key, token);
    return `Bearer ${token.token}`;
  }

  private async fetchToken(
    realm: string,
    service: string,
    scope: string,
    basic: string | null,
    reference: string,
  ): Promise<CachedToken> {
    const url = new URL(realm);
    if (service) url.searchParams.set('service', service);
    url.searchParams.append('scope', scope);
    const response = await this.send('GET', url.toString(), basic, reference, false);
    if (response.status !== 200) {
      await response.body?.cancel();
      throw new RegistryAuthError(reference, `token endpoint answered HTTP ${response.status}`);
    }
    let body: { token?: unknown; access_token?: unknown; expires_in?: unknown };
    try {
      body = (await response.json()) as typeof body;
    } catch {
      throw new RegistryProtocolError(reference, 'token endpoint answered no JSON');
    }
    const token = typeof body.token === 'string' ? body.token : body.access_token;
    if (typeof token !== 'string' || token === '') {
      throw new RegistryProtocolError(reference, 'token endpoint answered no token');
    }
    const expiresIn = typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : 60;
    // Renew shortly before expiry so a token never runs out in flight.
    return { token, expiresAt: this.now() + Math.max(expiresIn * 1000 - 10_000, (expiresIn * 1000) / 2) };
  }

  /** One request with bounded retries on 429, 5xx and network errors. */
  private async send(
    method: Method,
    url: string,
    authorization: string | null,
    reference: string,
    manifest = true,
  ): Promise<Response> {
    const headers: Record<string, string> = {};
    if (manifest) headers.accept = MANIFEST_ACCEPT;
    if (authorization !== null) headers.authorization = authorization;
    let lastError = '';
    for (let attempt = 1; attempt <= this.retry.attempts; attempt++) {
      let retryAfter: number | undefined;
      try {
        const response = await this.fetch(url, {
          method,
          headers,
          redirect: 'follow',
          signal: AbortSignal.timeout(this.timeoutMs),
        });
        if (response.status !== 429 && response.status < 500) return response;
        await response.body?.cancel();
        lastError = `HTTP ${response.status}`;
        const header = response.headers.get('retry-after');
        retryAfter = header !== null && /^\d+$/.test(header) ? Number(header) : undefined;
      } catch (error) {
        lastError = (error as Error).message;
      }
      if (attempt < this.retry.attempts) await sleep(backoffDelay(this.retry, attempt, retryAfter));
    }
    throw new RegistryUnavailableError(reference, `${lastError} after ${this.retry.attempts} attempts`);
  }
}
