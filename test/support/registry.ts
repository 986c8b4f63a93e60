/**
 * A real OCI registry for tests: Debian's `docker-registry` (CNCF distribution) on a free loopback port
 * with a temporary storage directory, optionally sending its notifications to a webhook URL. Images are
 * built as OCI layouts on disk (digests computed with node:crypto) and pushed with `skopeo`, the way a CI
 * pipeline pushes a layered OS image.
 */
import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { createHash, createPrivateKey, randomUUID, sign, X509Certificate } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, request as httpRequest, type Server } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { MessageQueue, SendOptions } from '../../functions/core/ports.ts';

const run = promisify(execFile);

/** A running registry. */
export interface TestRegistry {
  /** `127.0.0.1:<port>`: the registry host in image references. */
  host: string;
  url: string;
  /** Everything it logged (for failure messages). */
  log(): string;
  /** Token requests served so far (token auth only). */
  tokenRequests(): number;
  stop(): Promise<void>;
}

/** Options of {@link startRegistry}. */
export interface RegistryOptions {
  /** Where to POST notifications, e.g. `http://127.0.0.1:<front>/hooks/distribution`. */
  notifyUrl?: string;
  /** Static headers sent with notifications (distribution's `headers`). */
  notifyHeaders?: Record<string, string>;
  /**
   * Protect the registry with distribution's token auth: a token server on loopback issues ES256 JWTs
   * (signed with a throw-away key whose self-signed certificate the registry trusts) to this user only.
   */
  tokenAuth?: { username: string; password: string; expiresIn?: number; field?: 'token' | 'access_token' };
  /** Whether manifests may be deleted (distribution's `storage.delete.enabled`); default true. */
  deletes?: boolean;
}

/** A free loopback TCP port. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Starts `docker-registry serve` and waits until `/v2/` answers. */
export async function startRegistry(options: RegistryOptions = {}): Promise<TestRegistry> {
  // The free port is only free when asked: another test file may take it before the registry binds it.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startRegistryOnce(options);
    } catch (error) {
      if (attempt >= 3 || !/address already in use/.test(String(error))) throw error;
    }
  }
}

async function startRegistryOnce(options: RegistryOptions): Promise<TestRegistry> {
  const dir = mkdtempSync(join(tmpdir(), 'strata-registry-'));
  const port = await freePort();
  const tokens = options.tokenAuth ? await startTokenServer(dir, options.tokenAuth) : null;
  const notifications = options.notifyUrl
    ? [
        'notifications:',
        '  endpoints:',
        '    - name: strata',
        `      url: ${options.notifyUrl}`,
        '      timeout: 2s',
        '      threshold: 10',
        '      backoff: 200ms',
        ...(options.notifyHeaders
          ? [
              '      headers:',
              ...Object.entries(options.notifyHeaders).map(
                ([k, v]) => `        ${k}: [${JSON.stringify(v)}]`,
              ),
            ]
          : []),
      ]
    : [];
  const config = [
    'version: 0.1',
    'log:',
    '  level: warn',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${join(dir, 'data')}`,
    '  delete:',
    `    enabled: ${options.deletes ?? true}`,
    'http:',
    `  addr: 127.0.0.1:${port}`,
    '  secret: strata-test',
    ...(tokens
      ? [
          'auth:',
          '  token:',
          `    realm: ${tokens.url}/token`,
          `    service: ${TOKEN_SERVICE}`,
          `    issuer: ${TOKEN_ISSUER}`,
          `    rootcertbundle: ${tokens.certFile}`,
        ]
      : []),
    ...notifications,
    '',
  ].join('\n');
  writeFileSync(join(dir, 'config.yml'), config);
  const child: ChildProcess = spawn('docker-registry', ['serve', join(dir, 'config.yml')], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) {
      await tokens?.close();
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`docker-registry exited: ${output}`);
    }
    try {
      const res = await fetch(`${url}/v2/`);
      if (res.status === 200 || (tokens && res.status === 401)) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill();
      throw new Error(`docker-registry did not start: ${output}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    host: `127.0.0.1:${port}`,
    url,
    log: () => output,
    tokenRequests: () => tokens?.requests ?? 0,
    stop: async () => {
      await tokens?.close();
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A content descriptor. */
export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: { architecture: string; os: string };
  annotations?: Record<string, string>;
}

/** An OCI layout on disk, built blob by blob. */
export class OciLayout {
  readonly dir: string;
  private readonly refs: Descriptor[] = [];

  constructor(dir = mkdtempSync(join(tmpdir(), 'strata-oci-'))) {
    this.dir = dir;
    mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
    writeFileSync(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
    this.writeIndex();
  }

  /** Writes a blob; returns its descriptor. */
  blob(mediaType: string, content: Buffer | string): Descriptor {
    const bytes = typeof content === 'string' ? Buffer.from(content) : content;
    const hex = createHash('sha256').update(bytes).digest('hex');
    writeFileSync(join(this.dir, 'blobs', 'sha256', hex), bytes);
    return { mediaType, digest: `sha256:${hex}`, size: bytes.length };
  }

  /** A single-platform image: an empty-tar layer, a config naming `label`, a manifest. */
  image(label: string, platform = { architecture: 'amd64', os: 'linux' }): Descriptor {
    // Two zero blocks are a valid, empty tar archive; the label in the config makes each image unique.
    const layer = this.blob('application/vnd.oci.image.layer.v1.tar', Buffer.alloc(1024));
    const config = this.blob(
      'application/vnd.oci.image.config.v1+json',
      JSON.stringify({
        architecture: platform.architecture,
        os: platform.os,
        config: { Labels: { 'org.example.build': label } },
        rootfs: { type: 'layers', diff_ids: [layer.digest] },
      }),
    );
    const manifest = this.blob(
      'application/vnd.oci.image.manifest.v1+json',
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config,
        layers: [layer],
      }),
    );
    return { ...manifest, platform };
  }

  /** A multi-arch image index over amd64 and arm64 images. */
  multiArch(label: string): Descriptor {
    const children = [
      this.image(`${label}-amd64`, { architecture: 'amd64', os: 'linux' }),
      this.image(`${label}-arm64`, { architecture: 'arm64', os: 'linux' }),
    ];
    return this.blob(
      'application/vnd.oci.image.index.v1+json',
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.index.v1+json',
        manifests: children,
      }),
    );
  }

  /** Names `descriptor` as `tag` in the layout's index.json (what `oci:<dir>:<tag>` refers to). */
  tag(tag: string, descriptor: Descriptor): void {
    const { platform: _platform, ...plain } = descriptor;
    const existing = this.refs.findIndex((r) => r.annotations?.['org.opencontainers.image.ref.name'] === tag);
    if (existing >= 0) this.refs.splice(existing, 1);
    this.refs.push({ ...plain, annotations: { 'org.opencontainers.image.ref.name': tag } });
    this.writeIndex();
  }

  private writeIndex(): void {
    writeFileSync(join(this.dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: this.refs }));
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** `skopeo copy --all --preserve-digests` from a layout tag to `<host>/<repository>:<tag>` over http. */
export async function skopeoPush(layout: OciLayout, layoutTag: string, destination: string): Promise<void> {
  await run(
    'skopeo',
    [
      'copy',
      '--all',
      '--preserve-digests',
      '--dest-tls-verify=false',
      `oci:${layout.dir}:${layoutTag}`,
      `docker://${destination}`,
    ],
    { timeout: 30_000 },
  );
}

/** The digest `skopeo inspect --tls-verify=false` reports for a reference. */
export async function skopeoDigest(reference: string): Promise<string> {
  const { stdout } = await run('skopeo', ['inspect', '--tls-verify=false', `docker://${reference}`], {
    timeout: 30_000,
  });
  return (JSON.parse(stdout) as { Digest: string }).Digest;
}

/**
 * An in-process `MessageQueue` that records what was sent (ingress tests and benchmarks). Not a mock: it is
 * a real queue, and what it holds is the assertion.
 */
export class RecordingQueue<T> implements MessageQueue<T> {
  readonly sent: { body: T; options?: SendOptions }[] = [];
  private waiters: (() => void)[] = [];

  async send(body: T, options?: SendOptions): Promise<void> {
    // A copy through JSON, as SQS would deliver it.
    this.sent.push({ body: JSON.parse(JSON.stringify(body)) as T, ...(options ? { options } : {}) });
    for (const wake of this.waiters.splice(0)) wake();
  }

  get bodies(): T[] {
    return this.sent.map((s) => s.body);
  }

  /** Waits until a sent message satisfies `predicate` (or fails after `timeoutMs`). */
  async waitFor(predicate: (body: T) => boolean, timeoutMs = 15_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.bodies.find(predicate);
      if (found !== undefined) return found;
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`no matching message within ${timeoutMs} ms; sent: ${JSON.stringify(this.bodies)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }
}

const TOKEN_SERVICE = 'strata-test-registry';
const TOKEN_ISSUER = 'strata-test-issuer';

const b64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

/**
 * A token server for distribution's token auth (docs/spec/auth/token.md): Basic credentials in, a signed
 * JWT granting pull and push on the requested repositories out. The key and its self-signed certificate
 * are made with `openssl`.
 */
async function startTokenServer(dir: string, auth: NonNullable<RegistryOptions['tokenAuth']>) {
  const keyFile = join(dir, 'token.key');
  const certFile = join(dir, 'token.crt');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      '2',
      '-subj',
      '/CN=strata-test-token',
    ],
    { stdio: 'ignore' },
  );
  const key = createPrivateKey(readFileSync(keyFile));
  const certDer = new X509Certificate(readFileSync(certFile)).raw.toString('base64');
  const expected = `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
  const state = { requests: 0 };
  const server: Server = createHttpServer((req, res) => {
    state.requests++;
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.headers.authorization !== expected) {
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"details":"bad credentials"}');
      return;
    }
    const access = url.searchParams.getAll('scope').map((scope) => {
      const [type, name] = scope.split(':');
      return { type, name, actions: ['pull', 'push'] };
    });
    const now = Math.floor(Date.now() / 1000);
    const header = b64url(JSON.stringify({ typ: 'JWT', alg: 'ES256', x5c: [certDer] }));
    const claims = b64url(
      JSON.stringify({
        iss: TOKEN_ISSUER,
        sub: auth.username,
        aud: url.searchParams.get('service'),
        exp: now + 600,
        nbf: now - 10,
        iat: now,
        jti: randomUUID(),
        access,
      }),
    );
    const signature = sign('sha256', Buffer.from(`${header}.${claims}`), { key, dsaEncoding: 'ieee-p1363' });
    const token = `${header}.${claims}.${b64url(signature)}`;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        [auth.field ?? 'token']: token,
        ...(auth.expiresIn ? { expires_in: auth.expiresIn } : {}),
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    certFile,
    get requests() {
      return state.requests;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Faults a {@link FaultProxy} injects; change them between requests. */
export interface Faults {
  /** Answer the next N manifest requests with `failStatus` instead of forwarding them. */
  failNext: number;
  failStatus: number;
  retryAfter?: string;
  /** Remove `Docker-Content-Digest` from answers (an old registry). */
  dropDigestHeader: boolean;
}

/** A fault-injecting HTTP proxy in front of a real registry. */
export interface FaultProxy {
  url: string;
  faults: Faults;
  /** Requests seen, as `METHOD path`. */
  requests: string[];
  close(): Promise<void>;
}

/** Starts a proxy to `target` (a registry URL) that injects {@link Faults}. */
export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const faults: Faults = { failNext: 0, failStatus: 503, dropDigestHeader: false };
  const requests: string[] = [];
  const upstream = new URL(target);
  const server = createHttpServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    if (faults.failNext > 0 && req.url?.includes('/manifests/')) {
      faults.failNext--;
      req.resume();
      res.writeHead(faults.failStatus, faults.retryAfter ? { 'retry-after': faults.retryAfter } : {}).end();
      return;
    }
    const forward = httpRequest(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: upstream.host },
      },
      (answer) => {
        const headers = { ...answer.headers };
        if (faults.dropDigestHeader) delete headers['docker-content-digest'];
        res.writeHead(answer.statusCode ?? 502, headers);
        answer.pipe(res);
      },
    );
    forward.on('error', () => res.writeHead(502).end());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    faults,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
