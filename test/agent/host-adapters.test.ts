/**
 * The bootc and rpm-ostree host adapters, running real processes: fake `nsenter`, `systemd-run`,
 * `systemctl`, `bootc` and `rpm-ostree` executables on a PATH the test controls (test/agent/fake-host.ts),
 * printing captured real-world status shapes.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  AUTO_UPDATE_UNITS,
  detectHost,
  HostCommandError,
  type HostPort,
  NsenterRunner,
  readBoot,
  stagingFailureReason,
} from '../../agent/host/index.ts';
import { type FakeHost, fakeHost } from './fake-host.ts';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);
const NEW = `quay.io/acme/os@sha256:${B}`;
const NS = 'nsenter --target 1 --mount --uts --ipc --net --pid --';
const UNIT = 'systemd-run --wait --collect --pipe --quiet --unit=strata-agent-stage.service --';

let fake: FakeHost | undefined;
afterEach(() => {
  fake?.cleanup();
  fake = undefined;
});

async function setup(
  tools: ('bootc' | 'rpm-ostree')[],
  status: Partial<Record<'bootc' | 'rpm-ostree', string>>,
) {
  fake = fakeHost(tools);
  for (const [tool, name] of Object.entries(status)) fake.status(tool as 'bootc' | 'rpm-ostree', name);
  const host = await detectHost(new NsenterRunner({ env: fake.env }), { hostRoot: join(fake.dir, 'root') });
  return { fake, host };
}

async function rejection(promise: Promise<unknown>): Promise<HostCommandError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof HostCommandError) return error;
    throw error;
  }
  throw new Error('expected the host command to fail');
}

describe('host detection', () => {
  it('chooses bootc when bootc reports a booted deployment, asking in the host namespaces', async () => {
    const { fake, host } = await setup(['bootc', 'rpm-ostree'], { bootc: 'bootc-booted.json' });
    expect(host.tool).toBe('bootc');
    expect(fake.calls()).toEqual([`nsenter ${NS.slice(8)} bootc status --json`, 'bootc status --json']);
  });

  it('chooses rpm-ostree when the host has no bootc, or bootc did not boot it', async () => {
    expect((await setup(['rpm-ostree'], { 'rpm-ostree': 'rpm-ostree-booted.json' })).host.tool).toBe(
      'rpm-ostree',
    );
    fake?.cleanup();
    const both = await setup(['bootc', 'rpm-ostree'], {
      bootc: 'bootc-not-booted.json',
      'rpm-ostree': 'rpm-ostree-booted.json',
    });
    expect(both.host.tool).toBe('rpm-ostree');
  });

  it('reports the host tool missing when neither answers, with both reasons', async () => {
    fake = fakeHost([]);
    const error = await rejection(detectHost(new NsenterRunner({ env: fake.env })));
    expect(error.kind).toBe('missing');
    expect(error.stderrTail).toMatch(
      /^neither bootc nor rpm-ostree reports the host status \(bootc: .*not found.*; rpm-ostree: .*not found/,
    );
  });

  it('reports nsenter itself missing from the image', async () => {
    fake = fakeHost(['bootc']);
    const runner = new NsenterRunner({ nsenter: join(fake.dir, 'no-such-nsenter'), env: fake.env });
    const error = await rejection(runner.run(['bootc', 'status', '--json']));
    expect(error.kind).toBe('missing');
    expect(error.stderrTail).toContain('ENOENT');
  });
});

describe('bootc host', () => {
  it('reads booted, staged and rollback deployments; the next boot is the staged one or a queued rollback', async () => {
    const { fake, host } = await setup(['bootc'], { bootc: 'bootc-booted.json' });
    const booted = await host.status();
    expect(booted.booted).toEqual({ image: 'quay.io/acme/os:stable', digest: `sha256:${A}` });
    expect(booted.staged).toBeUndefined();
    expect(booted.rollback?.digest).toBe(`sha256:${'9'.repeat(64)}`);
    expect(booted.next).toEqual(booted.booted);

    fake.status('bootc', 'bootc-staged.json');
    const staged = await host.status();
    expect(staged.staged).toEqual({ image: NEW, digest: `sha256:${B}` });
    expect(staged.next).toEqual(staged.staged);

    fake.status('bootc', 'bootc-rollback-queued.json');
    expect((await host.status()).next.digest).toBe(`sha256:${B}`);
  });

  it('stages with bootc switch (never --apply) in the staging unit, after stopping an earlier one', async () => {
    const { fake, host } = await setup(['bootc'], { bootc: 'bootc-booted.json' });
    fake.script('switch', { after: 'bootc-staged.json' });
    await host.stage(NEW, new AbortController().signal);
    const calls = fake.calls().filter((c) => c.startsWith('nsenter'));
    expect(calls.slice(-2)).toEqual([
      `${NS} systemctl stop strata-agent-stage.service`,
      `${NS} ${UNIT} bootc switch ${NEW}`,
    ]);
    expect(fake.calls()).toContain(`bootc switch ${NEW}`);
    expect((await host.status()).next.digest).toBe(`sha256:${B}`);
  });

  it('classifies a refused registry login as an auth failure, with the stderr tail', async () => {
    const { fake, host } = await setup(['bootc'], { bootc: 'bootc-booted.json' });
    fake.script('switch', {
      stderr: `layers already present: 0; layers needed: 52 (817.9 MB)\nerror: Switching: Pulling: Creating importer: failed to invoke method OpenImage: reading manifest sha256:${B} in quay.io/acme/os: unauthorized: access to the requested resource is not authorized\n`,
    });
    const error = await rejection(host.stage(NEW, new AbortController().signal));
    expect(error.kind).toBe('auth');
    expect(stagingFailureReason(error)).toBe(
      `registry auth failed: layers already present: 0; layers needed: 52 (817.9 MB) | error: Switching: Pulling: Creating importer: failed to invoke method OpenImage: reading manifest sha256:${B} in quay.io/acme/os: unauthorized: access to the requested resource is not authorized`,
    );
  });

  it('classifies an unknown manifest as a pull failure', async () => {
    const { fake, host } = await setup(['bootc'], { bootc: 'bootc-booted.json' });
    fake.script('switch', {
      stderr:
        'error: Switching: Pulling: Creating importer: failed to invoke method OpenImage: manifest unknown\n',
    });
    const error = await rejection(host.stage(NEW, new AbortController().signal));
    expect(stagingFailureReason(error)).toBe(
      'pull failed: error: Switching: Pulling: Creating importer: failed to invoke method OpenImage: manifest unknown',
    );
  });

  it('stops a hung staging on abort: its processes end and the staging unit is stopped', async () => {
    const { fake, host } = await setup(['bootc'], { bootc: 'bootc-booted.json' });
    fake.script('switch', { sleep: 37.25 });
    const abort = new AbortController();
    const staging = host.stage(NEW, abort.signal);
    while (!fake.calls().includes(`bootc switch ${NEW}`)) await new Promise((r) => setTimeout(r, 20));
    abort.abort();
    const error = await rejection(staging);
    expect(error.stderrTail).toMatch(/^aborted/);
    expect(fake.calls().at(-1)).toBe('systemctl stop strata-agent-stage.service');
    const left = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })
      .split('\n')
      .filter((line) => line.includes('sleep 37.25'));
    expect(left).toEqual([]);
  });

  it('rolls back, and discards: re-switching to the booted digest, or un-queueing a rollback', async () => {
    const { fake, host } = await setup(['bootc'], { bootc: 'bootc-booted.json' });
    await host.rollback(new AbortController().signal);
    expect(fake.calls().at(-1)).toBe('bootc rollback');

    fake.status('bootc', 'bootc-staged.json');
    await host.discard(await host.status());
    expect(fake.calls().at(-1)).toBe(`bootc switch quay.io/acme/os@sha256:${A}`);

    fake.status('bootc', 'bootc-rollback-queued.json');
    await host.discard(await host.status());
    expect(fake.calls().at(-1)).toBe('bootc rollback');
  });
});

describe('rpm-ostree host', () => {
  it('reads deployments in boot order: container references, digests from the field or the commit metadata', async () => {
    const { fake, host } = await setup(['rpm-ostree'], { 'rpm-ostree': 'rpm-ostree-booted.json' });
    const booted = await host.status();
    expect(booted.booted).toEqual({ image: `quay.io/acme/os@sha256:${A}`, digest: `sha256:${A}` });
    expect(booted.rollback).toEqual({
      image: 'quay.io/fedora/fedora-coreos:stable',
      digest: `sha256:${'9'.repeat(64)}`,
    });
    expect(booted.next).toEqual(booted.booted);
    fake.status('rpm-ostree', 'rpm-ostree-staged.json');
    const staged = await host.status();
    expect(staged.staged).toEqual({ image: NEW, digest: `sha256:${B}` });
    expect(staged.next).toEqual(staged.staged);
  });

  it('stages with rpm-ostree rebase ostree-unverified-registry: in the staging unit', async () => {
    const { fake, host } = await setup(['rpm-ostree'], { 'rpm-ostree': 'rpm-ostree-booted.json' });
    fake.script('rebase', { after: 'rpm-ostree-staged.json' });
    await host.stage(NEW, new AbortController().signal);
    expect(fake.calls()).toContain(`${NS} ${UNIT} rpm-ostree rebase ostree-unverified-registry:${NEW}`);
    expect((await host.status()).next.digest).toBe(`sha256:${B}`);
  });

  it('drops a staged deployment before rolling back, and discards with cleanup --pending', async () => {
    const { fake, host } = await setup(['rpm-ostree'], { 'rpm-ostree': 'rpm-ostree-staged.json' });
    await host.rollback(new AbortController().signal);
    expect(
      fake
        .calls()
        .filter((c) => c.startsWith('rpm-ostree'))
        .slice(-2),
    ).toEqual(['rpm-ostree cleanup --pending', 'rpm-ostree rollback']);
    await host.discard(await host.status());
    expect(fake.calls().at(-1)).toBe('rpm-ostree cleanup --pending');
  });
});

describe('host commands every tool shares', () => {
  let host: HostPort;

  it('reboots with systemctl reboot and masks the auto-updaters one by one', async () => {
    ({ host } = await setup(['bootc'], { bootc: 'bootc-booted.json' }));
    await host.reboot();
    expect(fake!.calls().at(-1)).toBe('systemctl reboot');
    expect(await host.maskAutoUpdates(AUTO_UPDATE_UNITS)).toEqual([...AUTO_UPDATE_UNITS]);
    expect(fake!.calls().filter((c) => c.startsWith('systemctl mask'))).toEqual(
      AUTO_UPDATE_UNITS.map((u) => `systemctl mask ${u}`),
    );
  });

  it('fails masking with the host error when systemctl refuses', async () => {
    ({ host } = await setup(['bootc'], { bootc: 'bootc-booted.json' }));
    writeFileSync(join(fake!.dir, 'systemctl-mask.stderr'), 'Failed to mask unit: Access denied\n');
    const error = await rejection(host.maskAutoUpdates(['zincati.service']));
    expect(error.stderrTail).toBe('Failed to mask unit: Access denied');
  });

  it("sees the host's registry credentials file under the host root", async () => {
    ({ host } = await setup(['bootc'], { bootc: 'bootc-booted.json' }));
    expect(await host.hasRegistryCredentials()).toBe(false);
    mkdirSync(join(fake!.dir, 'root/etc/ostree'), { recursive: true });
    writeFileSync(join(fake!.dir, 'root/etc/ostree/auth.json'), '{"auths":{}}');
    expect(await host.hasRegistryCredentials()).toBe(true);
  });

  it('reads the boot ID and the boot time from the kernel files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'strata-boot-'));
    writeFileSync(join(dir, 'boot_id'), '1d3c1bc6-8a39-4b5e-9b0e-6f6e8d6e3f21\n');
    writeFileSync(join(dir, 'stat'), 'cpu  1 2 3 4\nintr 5\nctxt 6\nbtime 1780300800\nprocesses 7\n');
    expect(await readBoot({ bootId: join(dir, 'boot_id'), stat: join(dir, 'stat') })).toEqual({
      id: '1d3c1bc6-8a39-4b5e-9b0e-6f6e8d6e3f21',
      startedAt: 1_780_300_800_000,
    });
    writeFileSync(join(dir, 'stat'), 'cpu 1\n');
    await expect(readBoot({ bootId: join(dir, 'boot_id'), stat: join(dir, 'stat') })).rejects.toThrow(
      /stat: no btime line$/,
    );
  });
});
