/** The OCI registry client against a real docker-registry (plain, token-protected, and behind a fault proxy). */
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  fileCredentials,
  ManifestUnknownError,
  OciRegistryClient,
  parseChallenge,
  RegistryAuthError,
  RegistryCredentialsError,
  RegistryProtocolError,
  RegistryUnavailableError,
  registryBaseUrl,
  staticCredentials,
} from '../../../functions/adapters/registry/index.ts';
import {
  type FaultProxy,
  OciLayout,
  skopeoDigest,
  skopeoPush,
  startFaultProxy,
  startRegistry,
  type TestRegistry,
} from '../../support/registry.ts';

const FAST_RETRY = { attempts: 3, baseDelayMs: 5, maxDelayMs: 20 };

let plain: TestRegistry;
let secured: TestRegistry;
let proxy: FaultProxy;
let layout: OciLayout;
const digests: Record<string, string> = {};

beforeAll(async () => {
  [plain, secured] = await Promise.all([
    startRegistry(),
    startRegistry({ tokenAuth: { username: 'strata', password: 'pull-secret', expiresIn: 300 } }),
  ]);
  proxy = await startFaultProxy(plain.url);
  layout = new OciLayout();
  layout.tag('single', layout.image('client-single'));
  layout.tag('multi', layout.multiArch('client-multi'));
  await skopeoPush(layout, 'single', `${plain.host}/os/node:single`);
  await skopeoPush(layout, 'multi', `${plain.host}/os/node:multi`);
  digests.single = await skopeoDigest(`${plain.host}/os/node:single`);
  digests.multi = await skopeoDigest(`${plain.host}/os/node:multi`);
  const { execFile } = await import('node:child_process');
  await new Promise<void>((resolve, reject) =>
    execFile(
      'skopeo',
      [
        'copy',
        '--all',
        '--preserve-digests',
        '--dest-tls-verify=false',
        '--dest-creds',
        'strata:pull-secret',
        `oci:${layout.dir}:multi`,
        `docker://${secured.host}/private/os:multi`,
      ],
      (error) => (error ? reject(error) : resolve()),
    ),
  );
});

afterAll(async () => {
  await proxy?.close();
  await Promise.all([plain?.stop(), secured?.stop()]);
  layout?.remove();
});

const anonymous = () =>
  new OciRegistryClient({ credentials: staticCredentials({ registries: {} }), retry: FAST_RETRY });

describe('resolving tags on a registry', () => {
  it('resolves a single-platform tag to its manifest digest', async () => {
    const resolved = await anonymous().resolveTag({ host: plain.host, repository: 'os/node', tag: 'single' });
    expect(resolved).toEqual({
      digest: digests.single,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
    });
  });

  it('resolves a multi-arch tag to the index digest, not a platform child', async () => {
    const resolved = await anonymous().resolveTag({ host: plain.host, repository: 'os/node', tag: 'multi' });
    expect(resolved).toEqual({ digest: digests.multi, mediaType: 'application/vnd.oci.image.index.v1+json' });
  });

  it('reports a missing tag or repository as ManifestUnknownError', async () => {
    await expect(
      anonymous().resolveTag({ host: plain.host, repository: 'os/node', tag: 'nope' }),
    ).rejects.toBeInstanceOf(ManifestUnknownError);
    await expect(
      anonymous().resolveTag({ host: plain.host, repository: 'os/none', tag: 'x' }),
    ).rejects.toBeInstanceOf(ManifestUnknownError);
  });
});

describe('deleting manifests (strata prune)', () => {
  it('deletes a manifest by digest so its tag no longer resolves; deleting it again is not an error', async () => {
    layout.tag('doomed', layout.image('client-doomed'));
    await skopeoPush(layout, 'doomed', `${plain.host}/os/node:doomed`);
    const digest = await skopeoDigest(`${plain.host}/os/node:doomed`);
    const client = anonymous();
    await client.deleteManifest({ host: plain.host, repository: 'os/node', digest });
    await expect(
      client.resolveTag({ host: plain.host, repository: 'os/node', tag: 'doomed' }),
    ).rejects.toBeInstanceOf(ManifestUnknownError);
    await expect(
      client.deleteManifest({ host: plain.host, repository: 'os/node', digest }),
    ).resolves.toBeUndefined();
    expect((await client.resolveTag({ host: plain.host, repository: 'os/node', tag: 'single' })).digest).toBe(
      digests.single,
    );
  });

  it('says so when the registry does not allow deletes, and the image stays', async () => {
    const locked = await startRegistry({ deletes: false });
    try {
      layout.tag('kept', layout.image('client-kept'));
      await skopeoPush(layout, 'kept', `${locked.host}/os/node:kept`);
      const digest = await skopeoDigest(`${locked.host}/os/node:kept`);
      const client = anonymous();
      const refused = client.deleteManifest({ host: locked.host, repository: 'os/node', digest });
      await expect(refused).rejects.toBeInstanceOf(RegistryProtocolError);
      await expect(refused).rejects.toThrow(/does not allow deletes .*REGISTRY_STORAGE_DELETE_ENABLED=true/);
      expect(await skopeoDigest(`${locked.host}/os/node:kept`)).toBe(digest);
    } finally {
      await locked.stop();
    }
  });
});

describe('token auth (WWW-Authenticate: Bearer)', () => {
  it('fetches a token with Basic credentials, caches it per realm/service/scope', async () => {
    const client = new OciRegistryClient({
      credentials: staticCredentials({
        registries: { [secured.host]: { username: 'strata', password: 'pull-secret' } },
      }),
      retry: FAST_RETRY,
    });
    const before = secured.tokenRequests();

    const first = await client.resolveTag({ host: secured.host, repository: 'private/os', tag: 'multi' });
    const second = await client.resolveTag({ host: secured.host, repository: 'private/os', tag: 'multi' });

    expect(first.digest).toBe(digests.multi);
    expect(second.digest).toBe(digests.multi);
    expect(secured.tokenRequests() - before).toBe(1);
  });

  it('refuses with RegistryAuthError on wrong or missing credentials', async () => {
    const wrong = new OciRegistryClient({
      credentials: staticCredentials({
        registries: { [secured.host]: { username: 'strata', password: 'guess' } },
      }),
      retry: FAST_RETRY,
    });
    await expect(
      wrong.resolveTag({ host: secured.host, repository: 'private/os', tag: 'multi' }),
    ).rejects.toBeInstanceOf(RegistryAuthError);
    await expect(
      anonymous().resolveTag({ host: secured.host, repository: 'private/os', tag: 'multi' }),
    ).rejects.toBeInstanceOf(RegistryAuthError);
  });
});

describe('a misbehaving registry', () => {
  const viaProxy = () =>
    new OciRegistryClient({
      credentials: staticCredentials({ registries: { 'registry.test': { endpoint: proxy.url } } }),
      retry: FAST_RETRY,
    });

  it('falls back to GET and hashes the exact bytes when Docker-Content-Digest is missing', async () => {
    proxy.faults.dropDigestHeader = true;
    proxy.requests.length = 0;
    try {
      const resolved = await viaProxy().resolveTag({
        host: 'registry.test',
        repository: 'os/node',
        tag: 'multi',
      });
      expect(resolved.digest).toBe(digests.multi);
      expect(proxy.requests).toEqual(['HEAD /v2/os/node/manifests/multi', 'GET /v2/os/node/manifests/multi']);
    } finally {
      proxy.faults.dropDigestHeader = false;
    }
  });

  it('retries 503 and 429 with backoff, then succeeds', async () => {
    proxy.faults.failNext = 2;
    proxy.faults.failStatus = 503;
    const afterOutage = await viaProxy().resolveTag({
      host: 'registry.test',
      repository: 'os/node',
      tag: 'single',
    });
    proxy.faults.failNext = 1;
    proxy.faults.failStatus = 429;
    proxy.faults.retryAfter = '0';
    const afterThrottle = await viaProxy().resolveTag({
      host: 'registry.test',
      repository: 'os/node',
      tag: 'single',
    });
    expect([afterOutage.digest, afterThrottle.digest]).toEqual([digests.single, digests.single]);
  });

  it('gives up after the bounded attempts with RegistryUnavailableError', async () => {
    proxy.faults.failNext = 10;
    proxy.faults.failStatus = 502;
    proxy.requests.length = 0;
    try {
      await expect(
        viaProxy().resolveTag({ host: 'registry.test', repository: 'os/node', tag: 'single' }),
      ).rejects.toBeInstanceOf(RegistryUnavailableError);
      expect(proxy.requests).toHaveLength(FAST_RETRY.attempts);
    } finally {
      proxy.faults.failNext = 0;
    }
  });

  it('retries network errors (nothing listening) and then gives up', async () => {
    const client = new OciRegistryClient({
      credentials: staticCredentials({ registries: { 'gone.test': { endpoint: 'http://127.0.0.1:1' } } }),
      retry: FAST_RETRY,
    });
    await expect(client.resolveTag({ host: 'gone.test', repository: 'a', tag: 'b' })).rejects.toThrow(
      /after 3 attempts/,
    );
  });
});

describe('configuration', () => {
  it('uses http for loopback or insecure hosts, https otherwise, registry-1 for Docker Hub', () => {
    expect(registryBaseUrl('127.0.0.1:5000', undefined)).toBe('http://127.0.0.1:5000');
    expect(registryBaseUrl('localhost:5000', undefined)).toBe('http://localhost:5000');
    expect(registryBaseUrl('quay.io', undefined)).toBe('https://quay.io');
    expect(registryBaseUrl('lab.example:5000', { insecure: true })).toBe('http://lab.example:5000');
    expect(registryBaseUrl('docker.io', undefined)).toBe('https://registry-1.docker.io');
    expect(registryBaseUrl('x.example', { endpoint: 'http://127.0.0.1:9/' })).toBe('http://127.0.0.1:9');
  });

  it('reads a YAML credentials file, keyed by canonical host, and names a bad field', async () => {
    const dir = tmpdir();
    const good = join(dir, `strata-creds-${process.pid}.yaml`);
    writeFileSync(
      good,
      'registries:\n  index.docker.io: { username: u, password: p }\n  lab:5000: { insecure: true }\n',
    );
    const creds = fileCredentials(good);
    expect(await creds.forHost('docker.io')).toEqual({ username: 'u', password: 'p' });
    expect(await creds.forHost('lab:5000')).toEqual({ insecure: true });
    const bad = join(dir, `strata-creds-bad-${process.pid}.yaml`);
    writeFileSync(bad, 'registries:\n  quay.io: { user: u }\n');
    expect(() => fileCredentials(bad)).toThrow(RegistryCredentialsError);
    expect(() => fileCredentials(bad)).toThrow(/registries\.quay\.io/);
  });

  it('parses WWW-Authenticate challenges', () => {
    expect(
      parseChallenge(
        'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:a/b:pull,push"',
      ),
    ).toEqual({
      scheme: 'bearer',
      params: {
        realm: 'https://auth.docker.io/token',
        service: 'registry.docker.io',
        scope: 'repository:a/b:pull,push',
      },
    });
    expect(parseChallenge('Basic realm="Registry Realm"')).toEqual({
      scheme: 'basic',
      params: { realm: 'Registry Realm' },
    });
    expect(parseChallenge('')).toBeNull();
  });
});
