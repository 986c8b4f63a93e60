import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { secretsManagerCredentials } from '../../../functions/adapters/registry/credentials.ts';
import {
  clusterTokensFromEnvironment,
  SECRET_CACHE_MS,
  SecretReader,
  secretsManagerTokens,
} from '../../../functions/adapters/secrets/index.ts';

// A loopback endpoint speaking Secrets Manager's JSON protocol (GetSecretValue), so the real SDK client
// signs, sends and parses real requests. It counts reads to show the cache at work.
const secrets: Record<string, string> = {
  'strata/clusters/prod': 'plain-token',
  'strata/clusters/json': '{"token":"json-token"}',
  'strata/clusters/bad-json': '{"user":"x"}',
  'strata/registries': '{"registries":{"quay.io":{"username":"robot+strata","password":"p4ss"}}}',
  'strata/registries-broken': 'registries: not json',
};
let reads = 0;
let server: Server;
let client: SecretsManagerClient;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      reads++;
      const { SecretId } = JSON.parse(body) as { SecretId: string };
      const value = secrets[SecretId];
      res.setHeader('content-type', 'application/x-amz-json-1.1');
      if (value === undefined) {
        res.statusCode = 400;
        res.end(JSON.stringify({ __type: 'ResourceNotFoundException', message: `no secret ${SecretId}` }));
        return;
      }
      res.end(
        JSON.stringify({ ARN: `arn:aws:secretsmanager:us-east-1:1:secret:${SecretId}`, SecretString: value }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  client = new SecretsManagerClient({
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
});
afterAll(async () => {
  client.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('registry credentials from Secrets Manager', () => {
  it('serves each host from the JSON document, and names the secret when it is not JSON', async () => {
    const reader = new SecretReader(client);
    const credentials = secretsManagerCredentials('strata/registries', reader);
    expect(await credentials.forHost('quay.io')).toEqual({ username: 'robot+strata', password: 'p4ss' });
    expect(await credentials.forHost('ghcr.io')).toBeUndefined();
    await expect(
      secretsManagerCredentials('strata/registries-broken', reader).forHost('quay.io'),
    ).rejects.toThrow(/strata\/registries-broken.*not JSON/);
  });
});

describe('cluster tokens from Secrets Manager', () => {
  it('reads a plain token or the token field of a JSON secret', async () => {
    const tokens = secretsManagerTokens(new SecretReader(client));
    expect(await tokens.getToken('strata/clusters/prod')).toBe('plain-token');
    expect(await tokens.getToken('strata/clusters/json')).toBe('json-token');
  });

  it('says which secret is wrong when it holds no token', async () => {
    const tokens = secretsManagerTokens(new SecretReader(client));
    await expect(tokens.getToken('strata/clusters/bad-json')).rejects.toThrow(
      'secret strata/clusters/bad-json: JSON value has no "token" string',
    );
    await expect(tokens.getToken('strata/clusters/missing')).rejects.toThrow(
      /no secret strata\/clusters\/missing/,
    );
  });

  it('reuses a read secret until the cache expires, and never caches a failure', async () => {
    // Prepare
    let now = 0;
    const reader = new SecretReader(client, () => now);
    const before = reads;
    // Act
    await reader.read('strata/clusters/prod');
    await reader.read('strata/clusters/prod');
    const cachedReads = reads - before;
    now += SECRET_CACHE_MS;
    await reader.read('strata/clusters/prod');
    await expect(reader.read('strata/clusters/missing')).rejects.toThrow();
    await expect(reader.read('strata/clusters/missing')).rejects.toThrow();
    // Assess
    expect(cachedReads).toBe(1);
    expect(reads - before).toBe(4);
  });

  it('uses CLUSTER_TOKENS when set (local runs)', async () => {
    const local = clusterTokensFromEnvironment({ CLUSTER_TOKENS: '{"sim/dev":"t0k"}' });
    expect(await local.getToken('sim/dev')).toBe('t0k');
    await expect(local.getToken('sim/prod')).rejects.toThrow('no token named "sim/prod"');
  });
});
