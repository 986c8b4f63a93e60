/**
 * `npm test`'s first step (`pretest`): the system packages the tests run (a real OCI registry, skopeo,
 * openssl, buildah, chromium) must be on the PATH. Missing ones are installed with apt-get when this runs as
 * root on a machine with apt (a fresh Debian CI machine); otherwise the command names exactly what to install
 * and exits 1, before any test runs.
 *
 * `SYSTEM_PACKAGES` is the one list of them: `.ci/run` only calls `npm install` and `npm test`.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** A command the tests run, the Debian package that provides it, and what the tests use it for. */
export interface SystemPackage {
  command: string;
  debian: string;
  usedFor: string;
}

/** Every system package the tests need. */
export const SYSTEM_PACKAGES: readonly SystemPackage[] = [
  {
    command: 'docker-registry',
    debian: 'docker-registry',
    usedFor: 'a real OCI registry (ingress, update checks)',
  },
  { command: 'skopeo', debian: 'skopeo', usedFor: 'pushing test images to it' },
  { command: 'openssl', debian: 'openssl', usedFor: "the registry token server's key and certificate" },
  { command: 'buildah', debian: 'buildah', usedFor: 'building layered images from Containerfiles' },
  { command: 'busybox', debian: 'busybox-static', usedFor: 'the tiny base images the build tests build on' },
  { command: 'zsh', debian: 'zsh', usedFor: 'the zsh completion test' },
  { command: 'chromium', debian: 'chromium', usedFor: 'the dashboard tests (a headless browser)' },
];

/** Whether `command` is an executable file in a directory of `path`. */
export function onPath(command: string, path = process.env.PATH ?? ''): boolean {
  return path
    .split(delimiter)
    .filter(Boolean)
    .some((dir) => {
      try {
        accessSync(join(dir, command), constants.X_OK);
        return true;
      } catch {
        return false;
      }
    });
}

/** What to do about the missing packages. */
export type Decision =
  | { action: 'none' }
  | { action: 'install'; packages: string[] }
  | { action: 'refuse'; message: string };

/** Installs with apt-get as root where apt is; otherwise names what to install. */
export function decide(missing: readonly SystemPackage[], root: boolean, apt: boolean): Decision {
  if (missing.length === 0) return { action: 'none' };
  const packages = missing.map((p) => p.debian);
  if (root && apt) return { action: 'install', packages };
  const list = missing.map((p) => `  ${p.command} (Debian package ${p.debian}): ${p.usedFor}`).join('\n');
  const how = apt
    ? `install them, then run npm test again:\n  sudo apt-get install ${packages.join(' ')}`
    : "install them with your system's package manager (the Debian package names are above), then run npm test again";
  return {
    action: 'refuse',
    message: `npm test needs these commands, not found on the PATH:\n${list}\n${how}`,
  };
}

function missingPackages(): SystemPackage[] {
  return SYSTEM_PACKAGES.filter((p) => !onPath(p.command));
}

function main(): number {
  const decision = decide(missingPackages(), process.getuid?.() === 0, onPath('apt-get'));
  if (decision.action === 'none') return 0;
  if (decision.action === 'refuse') {
    process.stderr.write(`${decision.message}\n`);
    return 1;
  }
  process.stdout.write(`installing system packages for the tests: ${decision.packages.join(' ')}\n`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [
    ['update', '-qq'],
    ['install', '-y', '-qq', '--no-install-recommends', ...decision.packages],
  ]) {
    const run = spawnSync('apt-get', args, { env, stdio: 'inherit' });
    if (run.status !== 0) {
      process.stderr.write(`apt-get ${args.join(' ')}: exit ${run.status ?? run.signal}\n`);
      return 1;
    }
  }
  const still = missingPackages();
  if (still.length > 0) {
    process.stderr.write(
      `still not on the PATH after apt-get install: ${still.map((p) => p.command).join(', ')}\n`,
    );
    return 1;
  }
  return 0;
}

if (import.meta.main) process.exitCode = main();
