/**
 * A tiny OS base image for build tests: busybox-static (Debian package) as `/bin/busybox` with its applets
 * linked (so a Containerfile's `RUN` has a shell), and `/etc/strata-release` naming the release, built with
 * buildah (vfs, chroot isolation) and pushed to a test registry. Two releases give two base digests.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A buildah storage of a test's own, removed by `dispose`. */
export interface TestStorage {
  root: string;
  runroot: string;
  dispose(): void;
}

/** A temporary buildah storage. */
export function testStorage(): TestStorage {
  const dir = mkdtempSync(join(tmpdir(), 'strata-buildah-'));
  return {
    root: join(dir, 'root'),
    runroot: join(dir, 'runroot'),
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** buildah on `storage`; resolves with stdout. */
export async function buildah(
  storage: Pick<TestStorage, 'root' | 'runroot'>,
  args: string[],
): Promise<string> {
  const { stdout } = await run(
    'buildah',
    ['--root', storage.root, '--runroot', storage.runroot, '--storage-driver', 'vfs', ...args],
    { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 },
  );
  return stdout;
}

/** Builds the busybox base of `release` and pushes it as `host/repository:tag`; resolves with its digest. */
export async function pushBaseImage(
  storage: TestStorage,
  reference: string,
  release: string,
): Promise<string> {
  const context = mkdtempSync(join(tmpdir(), 'strata-base-'));
  try {
    copyFileSync('/bin/busybox', join(context, 'busybox'));
    writeFileSync(join(context, 'release'), `${release}\n`);
    writeFileSync(
      join(context, 'Containerfile'),
      'FROM scratch\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox", "--install", "-s", "/bin"]\nCOPY release /etc/strata-release\n',
    );
    const local = `localhost/strata-test-base:${release}`;
    await buildah(storage, [
      'bud',
      '--isolation',
      'chroot',
      '--format',
      'oci',
      '--quiet',
      '-t',
      local,
      context,
    ]);
    const digestFile = join(context, 'digest');
    await buildah(storage, [
      'push',
      '--tls-verify=false',
      '--digestfile',
      digestFile,
      local,
      `docker://${reference}`,
    ]);
    return readFileSync(digestFile, 'utf8').trim();
  } finally {
    rmSync(context, { recursive: true, force: true });
  }
}

/** Runs `command` in the image `reference` (pulled from a loopback registry) and returns its stdout. */
export async function runInImage(
  storage: TestStorage,
  reference: string,
  command: string[],
): Promise<string> {
  const container = (await buildah(storage, ['from', '--tls-verify=false', '--quiet', reference])).trim();
  try {
    return await buildah(storage, ['run', '--isolation', 'chroot', container, '--', ...command]);
  } finally {
    await buildah(storage, ['rm', container]);
  }
}
