/** Helpers for ingress tests: API Gateway v2 events, fixtures, a webhook configuration with one secret per source. */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { parseWebhookConfig } from '../../functions/core/ingress/config.ts';
import type { DeliveryClaims } from '../../functions/core/stores.ts';

/** Raw bytes of a fixture under test/fixtures/registries. */
export function fixture(name: string): Buffer {
  return readFileSync(new URL(`../fixtures/registries/${name}`, import.meta.url));
}

/** Secrets of the test configuration. */
export const secrets = {
  distribution: 'Bearer dist-9d1c0e',
  gitlab: 'Bearer gl-44aa',
  harbor: 'Basic c3RyYXRhOmhhcmJvci1zZWNyZXQ=',
  quay: 'quay-0b5e1d7a',
  dockerhub: 'hub-7f20c3aa',
  github: "It's a shared secret",
  acr: 'Bearer acr-61c2',
  jfrog: 'jfrog-signing-key',
  gar: 'gar-5c5c',
  ecr: 'eb-api-key-1',
} as const;

/** Webhook configuration used by the tests. */
export const testConfig = parseWebhookConfig(
  {
    maxBodyBytes: 64 * 1024,
    providers: {
      distribution: { auth: [{ kind: 'header', header: 'Authorization', value: secrets.distribution }] },
      gitlab: { auth: [{ kind: 'header', header: 'Authorization', value: secrets.gitlab }] },
      harbor: { auth: [{ kind: 'header', header: 'Authorization', value: secrets.harbor }] },
      quay: { auth: [{ kind: 'url-token', token: secrets.quay }] },
      dockerhub: { auth: [{ kind: 'url-token', token: secrets.dockerhub }] },
      github: { auth: [{ kind: 'hmac-sha256', secret: secrets.github }] },
      acr: { auth: [{ kind: 'header', header: 'Authorization', value: secrets.acr }] },
      jfrog: { auth: [{ kind: 'jfrog', secret: secrets.jfrog, signing: true }] },
      gar: { auth: [{ kind: 'url-token', token: secrets.gar }] },
      ecr: {
        auth: [{ kind: 'header', header: 'x-api-key', value: secrets.ecr }],
        allowedAccounts: ['210987654321'],
      },
    },
  },
  'test config',
);

/** The content type each provider sends. */
export const contentTypes: Record<string, string> = {
  distribution: 'application/vnd.docker.distribution.events.v2+json',
  gitlab: 'application/vnd.docker.distribution.events.v2+json',
  harbor: 'application/json',
  quay: 'application/json',
  dockerhub: 'application/json',
  github: 'application/json',
  acr: 'application/json',
  jfrog: 'application/json',
  gar: 'application/json',
  ecr: 'application/json',
};

/** An API Gateway v2 event for `POST /hooks/<provider>[/<token>]`. */
export function hookEvent(
  provider: string,
  body: Buffer | string,
  options: { headers?: Record<string, string>; token?: string; base64?: boolean } = {},
): APIGatewayProxyEventV2 {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  const path = `/hooks/${provider}${options.token !== undefined ? `/${options.token}` : ''}`;
  return {
    version: '2.0',
    routeKey: options.token !== undefined ? 'POST /hooks/{provider}/{token}' : 'POST /hooks/{provider}',
    rawPath: path,
    rawQueryString: '',
    headers: { 'content-type': contentTypes[provider] ?? 'application/json', ...options.headers },
    pathParameters: { provider, ...(options.token !== undefined ? { token: options.token } : {}) },
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      http: { method: 'POST', path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' },
      requestId: 'r',
      routeKey: 'POST /hooks/{provider}',
      stage: '$default',
      time: '',
      timeEpoch: 0,
    },
    body: options.base64 ? bytes.toString('base64') : bytes.toString('utf8'),
    isBase64Encoded: options.base64 ?? false,
  };
}

/** A delivery of `body` to `provider`, authenticated as the test configuration expects. */
export function authenticEvent(
  provider: string,
  body: Buffer | string,
  extraHeaders: Record<string, string> = {},
): APIGatewayProxyEventV2 {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  const hmac = (secret: string) => createHmac('sha256', secret).update(bytes).digest('hex');
  switch (provider) {
    case 'github':
      return hookEvent(provider, bytes, {
        headers: {
          'x-hub-signature-256': `sha256=${hmac(secrets.github)}`,
          'x-github-event': 'package',
          ...extraHeaders,
        },
      });
    case 'jfrog':
      return hookEvent(provider, bytes, {
        headers: { 'x-jfrog-event-auth': hmac(secrets.jfrog), ...extraHeaders },
      });
    case 'ecr':
      return hookEvent(provider, bytes, { headers: { 'x-api-key': secrets.ecr, ...extraHeaders } });
    case 'quay':
    case 'dockerhub':
    case 'gar':
      return hookEvent(provider, bytes, { token: secrets[provider], headers: extraHeaders });
    default:
      return hookEvent(provider, bytes, {
        headers: { authorization: secrets[provider as keyof typeof secrets], ...extraHeaders },
      });
  }
}

/** A replay ledger in memory (a real, simple implementation; the table one is tested on dynalite). */
export class MemoryLedger implements DeliveryClaims {
  readonly ids = new Set<string>();
  async claim(source: string, id: string): Promise<boolean> {
    const key = `${source}#${id}`;
    if (this.ids.has(key)) return false;
    this.ids.add(key);
    return true;
  }
  async release(source: string, id: string): Promise<void> {
    this.ids.delete(`${source}#${id}`);
  }
}
