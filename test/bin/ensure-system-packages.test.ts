/** bin/ensure-system-packages.ts, `npm test`'s first step: the system packages the tests need. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decide, onPath, SYSTEM_PACKAGES } from '../../bin/ensure-system-packages.ts';

const script = fileURLToPath(new URL('../../bin/ensure-system-packages.ts', import.meta.url));
const [registry, skopeo] = SYSTEM_PACKAGES.filter(
  (p) => p.command === 'docker-registry' || p.command === 'skopeo',
);

describe('which system packages to install', () => {
  it('does nothing when every command is there', () => {
    expect(decide([], false, false)).toEqual({ action: 'none' });
  });

  it('installs the missing ones with apt-get when root on a machine with apt', () => {
    expect(decide([registry!, skopeo!], true, true)).toEqual({
      action: 'install',
      packages: ['docker-registry', 'skopeo'],
    });
  });

  it('otherwise names each missing command, its package and what it is for, and the command to run', () => {
    const asUser = decide([registry!, skopeo!], false, true);
    expect(asUser).toEqual({
      action: 'refuse',
      message: [
        'npm test needs these commands, not found on the PATH:',
        '  docker-registry (Debian package docker-registry): a real OCI registry (ingress, update checks)',
        '  skopeo (Debian package skopeo): pushing test images to it',
        'install them, then run npm test again:',
        '  sudo apt-get install docker-registry skopeo',
      ].join('\n'),
    });
    const noApt = decide([skopeo!], true, false);
    expect(noApt.action).toBe('refuse');
    expect((noApt as { message: string }).message).toMatch(/with your system's package manager/);
  });
});

describe('bin/ensure-system-packages.ts', () => {
  it('passes silently here (every package the tests need is installed)', () => {
    const run = spawnSync(process.execPath, [script], { encoding: 'utf8' });
    expect(run).toMatchObject({ status: 0, stdout: '', stderr: '' });
    for (const p of SYSTEM_PACKAGES) expect(onPath(p.command), p.command).toBe(true);
  });

  it('exits 1 naming every package when none is on the PATH and apt-get is not either', () => {
    // A PATH with node alone.
    const bin = mkdtempSync(join(tmpdir(), 'strata-path-'));
    symlinkSync(process.execPath, join(bin, 'node'));
    const run = spawnSync(process.execPath, [script], {
      encoding: 'utf8',
      env: { ...process.env, PATH: bin },
    });
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    for (const p of SYSTEM_PACKAGES) {
      expect(run.stderr).toContain(`  ${p.command} (Debian package ${p.debian}): ${p.usedFor}\n`);
    }
  });
});
