/**
 * A real OCI registry for tests: Debian's `docker-registry` (CNCF distribution) on a free loopback port
 * with a temporary storage directory, optionally sending its notifications to a webhook URL. Images are
 * built as OCI layouts on disk (digests computed with node:crypto) and pushed with `skopeo`, the way a CI
 * pipeline pushes a layered OS image.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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
  stop(): Promise<void>;
}

/** Options of {@link startRegistry}. */
export interface RegistryOptions {
  /** Where to POST notifications, e.g. `http://127.0.0.1:<front>/hooks/distribution`. */
  notifyUrl?: string;
  /** Static headers sent with notifications (distribution's `headers`). */
  notifyHeaders?: Record<string, string>;
  /** Require Basic auth (htpasswd with bcrypt is not generated here; token auth is tested elsewhere). */
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
  const dir = mkdtempSync(join(tmpdir(), 'strata-registry-'));
  const port = await freePort();
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
    '    enabled: true',
    'http:',
    `  addr: 127.0.0.1:${port}`,
    '  secret: strata-test',
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
    if (child.exitCode !== null) throw new Error(`docker-registry exited: ${output}`);
    try {
      const res = await fetch(`${url}/v2/`);
      if (res.status === 200) break;
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
    stop: async () => {
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
