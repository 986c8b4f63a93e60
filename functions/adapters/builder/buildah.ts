/**
 * The local builder: buildah builds the pinned Containerfile (vfs storage and chroot isolation, which need
 * no kernel features beyond running as root) and pushes the image with the labels as manifest annotations
 * too, so the registry reads the base name and digest (core/checks/base-image.ts) without fetching the
 * config. One attempt per call; the outcome carries buildah's whole output as the log.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Builder, BuildOutcome, BuildRequest } from '../../core/builds/index.ts';

/** Options of {@link buildahBuilder}. */
export interface BuildahOptions {
  /** buildah's image storage (`--root`) and run state (`--runroot`): a storage of Strata's own. */
  root: string;
  runroot: string;
  /** Registry hosts spoken to without TLS; loopback hosts always are (as the registry client does). */
  insecureHosts?: readonly string[];
  /** A containers-auth.json with push and pull credentials (`--authfile`). */
  authFile?: string;
  /** The buildah executable. */
  command?: string;
}

const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?$/;

/** The registry host of `host/repository…`. */
function hostOf(reference: string): string {
  return reference.slice(0, reference.indexOf('/'));
}

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
}

/** Runs buildah, collecting stdout and stderr in order (the build log). */
function runBuildah(command: string, args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.stderr.on('data', (c: Buffer) => chunks.push(c));
    child.once('error', reject);
    child.once('close', (code, signal) =>
      resolve({ code, signal, output: Buffer.concat(chunks).toString('utf8') }),
    );
  });
}

/** The line of buildah's output that says why it failed (its last `error`/`Error` line), or the last line. */
function reason(output: string, what: string): string {
  const lines = output
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const error = [...lines].reverse().find((l) => /\berror\b/i.test(l));
  return `${what}: ${error ?? lines.at(-1) ?? 'no output'}`;
}

/** A {@link Builder} over the local buildah. */
export function buildahBuilder(options: BuildahOptions): Builder {
  const command = options.command ?? 'buildah';
  const global = ['--root', options.root, '--runroot', options.runroot, '--storage-driver', 'vfs'];
  const tls = (reference: string) => {
    const host = hostOf(reference);
    const insecure = LOOPBACK.test(host) || (options.insecureHosts ?? []).includes(host);
    return [
      `--tls-verify=${insecure ? 'false' : 'true'}`,
      ...(options.authFile ? ['--authfile', options.authFile] : []),
    ];
  };
  return {
    async build(request: BuildRequest): Promise<BuildOutcome> {
      const dir = await mkdtemp(join(tmpdir(), 'strata-build-'));
      const local = `localhost/strata-build/${request.buildId}:latest`;
      let log = '';
      try {
        const containerfile = join(dir, 'Containerfile');
        await writeFile(containerfile, request.containerfile);
        const from = /^\s*FROM\s+(?:--\S+\s+)*(\S+)/im.exec(request.containerfile)?.[1] ?? '';
        const bud = await runBuildah(command, [
          ...global,
          'bud',
          '--isolation',
          'chroot',
          '--format',
          'oci',
          '--platform',
          request.platform,
          ...(from.includes('/') ? tls(from) : []),
          ...Object.entries(request.args).flatMap(([k, v]) => ['--build-arg', `${k}=${v}`]),
          ...Object.entries(request.labels).flatMap(([k, v]) => [
            '--label',
            `${k}=${v}`,
            '--annotation',
            `${k}=${v}`,
          ]),
          '-f',
          containerfile,
          '-t',
          local,
          dir,
        ]);
        log += bud.output;
        if (bud.signal) return { ok: false, interrupted: true, error: `build stopped by ${bud.signal}`, log };
        if (bud.code !== 0) return { ok: false, error: reason(bud.output, 'build failed'), log };
        const digestFile = join(dir, 'digest');
        const push = await runBuildah(command, [
          ...global,
          'push',
          ...tls(request.destination),
          '--digestfile',
          digestFile,
          local,
          `docker://${request.destination}`,
        ]);
        log += push.output;
        if (push.signal)
          return { ok: false, interrupted: true, error: `push stopped by ${push.signal}`, log };
        if (push.code !== 0)
          return { ok: false, error: reason(push.output, `push to ${request.destination} failed`), log };
        const digest = (await readFile(digestFile, 'utf8')).trim();
        if (!/^sha256:[0-9a-f]{64}$/.test(digest))
          return { ok: false, error: `push to ${request.destination} reported no digest ("${digest}")`, log };
        return { ok: true, digest, log };
      } finally {
        // The pushed image lives in the registry; the local copy (and its base) only fill the disk.
        await runBuildah(command, [...global, 'rmi', '--force', local]).catch(() => undefined);
        await rm(dir, { recursive: true, force: true });
      }
    },
  };
}
