import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Fleet, startFleet } from '../../sim/index.ts';
import { openshiftScenario } from './support.ts';

const run = promisify(execFile);
const kubectlPath = ['/usr/bin/kubectl', '/usr/local/bin/kubectl'].find((p) => existsSync(p));

let fleet: Fleet;
let dir: string;

/** Runs the real kubectl (asynchronously: the API servers live in this process). */
async function kubectl(...args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await run(
      kubectlPath!,
      ['--kubeconfig', join(dir, 'kubeconfig'), '--cache-dir', join(dir, 'cache'), ...args],
      { timeout: 20_000 },
    );
    return { stdout, stderr, code: 0 };
  } catch (error) {
    const e = error as { stdout: string; stderr: string; code: number };
    return { stdout: e.stdout, stderr: e.stderr, code: e.code };
  }
}

const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const imageLayer = (digit: string, extra = '') =>
  [
    'apiVersion: machineconfiguration.openshift.io/v1',
    'kind: MachineConfig',
    'metadata:',
    '  name: 99-strata-worker-os-image',
    '  labels:',
    '    machineconfiguration.openshift.io/role: worker',
    'spec:',
    `  osImageURL: quay.io/acme/rhcos-layered@sha256:${digit.repeat(64)}`,
    extra,
  ].join('\n');

/** Moves simulated time until the worker pool targets `image` and reports Updated on that spec. */
async function untilWorkerUpdated(image: string): Promise<void> {
  for (let i = 0; i < 1800; i++) {
    const state = fleet.cluster('ocp').state;
    if (state.poolTarget('worker').image !== image) {
      await fleet.advance(1000);
      continue;
    }
    const p = state.poolStatus('worker');
    if (p.updated && p.settled) return;
    await fleet.advance(1000);
  }
  throw new Error('the worker pool did not update');
}

describe.skipIf(!kubectlPath)('the real kubectl against a cluster running MCO', () => {
  beforeAll(async () => {
    fleet = await startFleet(openshiftScenario(), { clock: 'manual' });
    dir = mkdtempSync(join(tmpdir(), 'strata-sim-kubectl-'));
    fleet.writeKubeconfig(join(dir, 'kubeconfig'));
  });
  afterAll(() => fleet?.stop());

  it('creates an image-layer MachineConfig with kubectl create -f; MCO rolls it out; get mcp shows it', async () => {
    const created = await kubectl('create', '-f', file('layer.yaml', imageLayer('b')));
    expect(created.stderr).toBe('');
    expect(created.stdout.trim()).toBe(
      'machineconfig.machineconfiguration.openshift.io/99-strata-worker-os-image created',
    );
    await untilWorkerUpdated(`quay.io/acme/rhcos-layered@sha256:${'b'.repeat(64)}`);

    const { stdout, code } = await kubectl('get', 'mcp');
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines[0]!.split(/\s+/)).toEqual([
      'NAME',
      'CONFIG',
      'UPDATED',
      'UPDATING',
      'DEGRADED',
      'MACHINECOUNT',
      'READYMACHINECOUNT',
      'UPDATEDMACHINECOUNT',
      'DEGRADEDMACHINECOUNT',
      'AGE',
    ]);
    const target = fleet.cluster('ocp').state.poolTarget('worker');
    expect(target.image).toBe(`quay.io/acme/rhcos-layered@sha256:${'b'.repeat(64)}`);
    expect(stdout).toMatch(
      new RegExp(`worker\\s+${target.config}\\s+True\\s+False\\s+False\\s+5\\s+5\\s+5\\s+0\\s`),
    );
  });

  it('updates it with kubectl apply -f (a JSON merge patch, as for a CRD) and the pool follows', async () => {
    const applied = await kubectl('apply', '-f', file('layer2.yaml', imageLayer('c')));
    expect(applied.code).toBe(0);
    expect(applied.stdout).toContain(
      'machineconfig.machineconfiguration.openshift.io/99-strata-worker-os-image configured',
    );
    await untilWorkerUpdated(`quay.io/acme/rhcos-layered@sha256:${'c'.repeat(64)}`);
    expect(fleet.cluster('ocp').state.bootedImage('worker-0')).toBe(
      `quay.io/acme/rhcos-layered@sha256:${'c'.repeat(64)}`,
    );
    const unchanged = await kubectl('apply', '-f', file('layer2.yaml', imageLayer('c')));
    expect(unchanged.stdout).toContain('unchanged');
  });

  it('refuses an unknown field (strict field validation) and a wrong type, naming the field', async () => {
    const unknown = await kubectl(
      'create',
      '-f',
      file(
        'typo.yaml',
        imageLayer('d').replace('99-strata-worker-os-image', '50-typo').replace('osImageURL', 'osImageUrl'),
      ),
    );
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain('strict decoding error: unknown field "spec.osImageUrl"');
    const wrong = await kubectl(
      'create',
      '-f',
      file('fips.yaml', imageLayer('d', '  fips: "yes"').replace('99-strata-worker-os-image', '50-fips')),
    );
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toContain('The MachineConfig "50-fips" is invalid: spec.fips');
    expect(fleet.cluster('ocp').state.machineConfigs.get(undefined, '50-typo')).toBeUndefined();
  });

  it('lists Events: MCO drains and reboots, and the writes the client made', async () => {
    const { stdout, code } = await kubectl('get', 'events', '-A');
    expect(code).toBe(0);
    expect(stdout.split('\n')[0]!.split(/\s{2,}/)).toEqual([
      'NAMESPACE',
      'LAST SEEN',
      'TYPE',
      'REASON',
      'OBJECT',
      'MESSAGE',
    ]);
    expect(stdout).toMatch(/Normal\s+Drain\s+node\/worker-\d\s+Draining node to update config\./);
    expect(stdout).toMatch(/Normal\s+Cordon\s+node\/worker-\d\s+Cordoned node to apply update/);
    expect(stdout).toMatch(/Normal\s+SetDesiredConfig\s+machineconfigpool\/worker\s+/);
    expect(stdout).toMatch(
      /Normal\s+Created\s+machineconfig\/99-strata-worker-os-image\s+admin created machineconfig 99-strata-worker-os-image/,
    );
    expect(stdout).toMatch(
      /Normal\s+Patched\s+machineconfig\/99-strata-worker-os-image\s+admin patched machineconfig 99-strata-worker-os-image: .*spec\.osImageURL=quay\.io\/acme\/rhcos-layered@sha256:c{64}/,
    );
  });

  it('deletes the MachineConfig with kubectl delete mc; the pool goes back to its base image', async () => {
    const deleted = await kubectl('delete', 'mc', '99-strata-worker-os-image');
    expect(deleted.code).toBe(0);
    expect(deleted.stdout).toContain(
      'machineconfig.machineconfiguration.openshift.io "99-strata-worker-os-image" deleted',
    );
    const state = fleet.cluster('ocp').state;
    await untilWorkerUpdated(state.release!.baseOSContainerImage);
    expect(state.poolTarget('worker').image).toBe(state.release!.baseOSContainerImage);
    expect(state.bootedImage('worker-4')).toBe(state.release!.baseOSContainerImage);
    expect(fleet.checkInvariants().violations).toEqual([]);
  });

  it('reads the release objects: clusterversion, controllerconfig, the osimageurl ConfigMap', async () => {
    const cv = await kubectl('get', 'clusterversion');
    expect(cv.stdout).toMatch(/^version\s+4\.18\.12\s+True\s+False\s+\S+\s+Cluster version is 4\.18\.12$/m);
    const cm = await kubectl(
      'get',
      'cm',
      'machine-config-osimageurl',
      '-n',
      'openshift-machine-config-operator',
      '-o',
      'jsonpath={.data.releaseVersion}',
    );
    expect(cm.stdout).toBe('4.18.12');
    const explain = await kubectl('explain', 'machineconfig.spec.osImageURL');
    expect(explain.stdout).toMatch(/FIELD:\s+osImageURL <string>/);
  });
});
