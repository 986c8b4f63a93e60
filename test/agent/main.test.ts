/**
 * `agent/main.ts`, the DaemonSet's entry point, as a child process: its Node on a simulated cluster
 * (a real Kubernetes API server, through a kubeconfig), its host through fake host executables on PATH.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CoreV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AgentAnnotations as A } from '../../agent/protocol.ts';
import { type Fleet, startFleet } from '../../sim/index.ts';
import { smallScenario } from '../sim/support.ts';
import { type FakeHost, fakeHost } from './fake-host.ts';

const entry = fileURLToPath(new URL('../../agent/main.ts', import.meta.url));
const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const OLD = `quay.io/acme/os@sha256:${'a'.repeat(64)}`;
const NEW = `quay.io/acme/os@sha256:${'b'.repeat(64)}`;

let fleet: Fleet;
let core: CoreV1Api;
let kubeconfig: string;
let fake: FakeHost | undefined;
let child: ChildProcess | undefined;

beforeAll(async () => {
  fleet = await startFleet(smallScenario());
  core = fleet.cluster('c1').kubeConfig().makeApiClient(CoreV1Api);
});
afterAll(async () => {
  await fleet?.stop();
});
afterEach(async () => {
  if (child && child.exitCode === null) {
    child.kill('SIGKILL');
    await exited(child);
  }
  child = undefined;
  fake?.cleanup();
  fake = undefined;
});

function exited(process: ChildProcess): Promise<number | null> {
  if (process.exitCode !== null) return Promise.resolve(process.exitCode);
  return new Promise((resolve) => process.on('close', (code) => resolve(code)));
}

function startAgent(node: string, tools: ('bootc' | 'rpm-ostree')[]): { output: () => string } {
  fake = fakeHost(tools);
  if (tools.includes('bootc')) fake.status('bootc', 'bootc-booted.json');
  kubeconfig = join(fake.dir, 'kubeconfig');
  fleet.writeKubeconfig(kubeconfig);
  let output = '';
  child = spawn(
    process.execPath,
    [
      entry,
      '--kubeconfig',
      kubeconfig,
      '--node-name',
      node,
      '--host-root',
      join(fake.dir, 'root'),
      '--poll-interval',
      '1s',
    ],
    { env: { ...fake.env, KUBERNETES_SERVICE_HOST: '' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout?.on('data', (chunk) => {
    output += String(chunk);
  });
  child.stderr?.on('data', (chunk) => {
    output += String(chunk);
  });
  return { output: () => output };
}

async function annotationsWhen(
  node: string,
  done: (a: Record<string, string>) => boolean,
  what: string,
): Promise<Record<string, string>> {
  for (let i = 0; i < 300; i++) {
    const a = (await core.readNode({ name: node })).metadata?.annotations ?? {};
    if (done(a)) return a;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`node ${node} never reached: ${what}`);
}

const annotate = (node: string, annotations: Record<string, string | null>) =>
  core.patchNode({ name: node, body: { metadata: { annotations } } }, merge);

describe('agent/main.ts', () => {
  it('reports the booted image, stages, reboots on request, logs JSON lines and stops cleanly on SIGTERM', async () => {
    const agent = startAgent('worker-0', ['bootc']);
    const ready = await annotationsWhen('worker-0', (a) => a[A.state] === 'Done', 'Done at start');
    expect(ready[A.currentImage]).toBe(OLD);
    expect(fake!.calls().filter((c) => c.startsWith('systemctl mask'))).toEqual([
      'systemctl mask bootc-fetch-apply-updates.timer',
      'systemctl mask rpm-ostreed-automatic.timer',
      'systemctl mask zincati.service',
    ]);

    fake!.script('switch', { after: 'bootc-staged.json' });
    await annotate('worker-0', { [A.desiredImage]: NEW });
    await annotationsWhen('worker-0', (a) => a[A.state] === 'Staged', 'Staged');
    expect(fake!.calls()).toContain(`bootc switch ${NEW}`);
    expect(fake!.calls()).not.toContain('systemctl reboot');

    await annotate('worker-0', { [A.reboot]: NEW });
    const rebooting = await annotationsWhen('worker-0', (a) => a[A.state] === 'Rebooting', 'Rebooting');
    expect(rebooting[A.bootId]).toBe(readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim());
    expect(rebooting[A.reboot]).toBeUndefined();
    for (let i = 0; i < 100 && !fake!.calls().includes('systemctl reboot'); i++)
      await new Promise((r) => setTimeout(r, 50));
    expect(fake!.calls()).toContain('systemctl reboot');

    child!.kill('SIGTERM');
    expect(await exited(child!)).toBe(0);
    const lines = agent
      .output()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { level: string; msg: string; node: string });
    expect(lines.every((l) => l.node === 'worker-0')).toBe(true);
    expect(lines.map((l) => l.msg)).toContain('SIGTERM: stopping');
  });

  it('refuses a tag with a Degraded reason', async () => {
    startAgent('worker-1', ['bootc']);
    await annotationsWhen('worker-1', (a) => a[A.state] === 'Done', 'Done at start');
    await annotate('worker-1', { [A.desiredImage]: 'quay.io/acme/os:latest' });
    const degraded = await annotationsWhen('worker-1', (a) => a[A.state] === 'Degraded', 'Degraded');
    expect(degraded[A.reason]).toBe(
      'tag not allowed: desired image "quay.io/acme/os:latest" is not pinned by digest (expected repo@sha256:…)',
    );
    expect(fake!.calls().some((c) => c.startsWith('bootc switch'))).toBe(false);
  });

  it('marks the node Degraded and exits 1 when the host has neither bootc nor rpm-ostree', async () => {
    const agent = startAgent('worker-2', []);
    expect(await exited(child!)).toBe(1);
    const a = (await core.readNode({ name: 'worker-2' })).metadata?.annotations ?? {};
    expect(a[A.state]).toBe('Degraded');
    expect(a[A.reason]).toMatch(/^host tool missing: neither bootc nor rpm-ostree reports the host status/);
    expect(agent.output()).toContain('"level":"error"');
  });
});
