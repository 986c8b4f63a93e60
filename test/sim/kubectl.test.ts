import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeAnnotations as A } from '../../functions/core/model.ts';
import { type Fleet, startFleet, withoutMcoScenarioPath } from '../../sim/index.ts';

const run = promisify(execFile);
const kubectlPath = ['/usr/bin/kubectl', '/usr/local/bin/kubectl'].find((p) => existsSync(p));

let fleet: Fleet;
let kubeconfig: string;

/** Runs the real kubectl (asynchronously: the API servers live in this process). */
async function kubectl(...args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await run(kubectlPath!, ['--kubeconfig', kubeconfig, ...args], {
      timeout: 20_000,
    });
    return { stdout, stderr, code: 0 };
  } catch (error) {
    const e = error as { stdout: string; stderr: string; code: number };
    return { stdout: e.stdout, stderr: e.stderr, code: e.code };
  }
}

describe.skipIf(!kubectlPath)('the real kubectl against the four-cluster scenario (without MCO)', () => {
  beforeAll(async () => {
    fleet = await startFleet(withoutMcoScenarioPath, { clock: 'manual' });
    kubeconfig = join(mkdtempSync(join(tmpdir(), 'strata-sim-')), 'kubeconfig');
    fleet.writeKubeconfig(kubeconfig);
  });
  afterAll(() => fleet?.stop());

  it('gets nodes of every cluster as NAME STATUS ROLES AGE VERSION', async () => {
    for (const cluster of fleet.clusters) {
      const { stdout, code } = await kubectl('--context', cluster.name, 'get', 'nodes');
      expect(code).toBe(0);
      const lines = stdout.trim().split('\n');
      expect(lines[0]!.split(/\s+/)).toEqual(['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION']);
      expect(lines).toHaveLength(cluster.state.nodes.size + 1);
      expect(lines[1]).toMatch(/^\S+\s+Ready\s+(worker|infra)\s+\d+d\s+v1\.32\.4$/);
    }
  });

  it('uses the first cluster as the current context', async () => {
    const { stdout } = await kubectl('config', 'current-context');
    expect(stdout.trim()).toBe('dev');
  });

  it('annotates, labels, cordons and uncordons a node in every cluster', async () => {
    for (const cluster of fleet.clusters) {
      const ctx = ['--context', cluster.name];
      expect(
        (await kubectl(...ctx, 'annotate', 'node', 'worker-1', 'example.com/owner=ops')).stdout,
      ).toContain('node/worker-1 annotated');
      expect((await kubectl(...ctx, 'label', 'node', 'worker-1', 'tier=gold')).stdout).toContain(
        'node/worker-1 labeled',
      );
      expect((await kubectl(...ctx, 'cordon', 'worker-1')).stdout).toContain('node/worker-1 cordoned');
      const cordoned = await kubectl(...ctx, 'get', 'node', 'worker-1');
      expect(cordoned.stdout).toMatch(/worker-1\s+Ready,SchedulingDisabled\s+worker/);

      const node = cluster.state.nodes.get(undefined, 'worker-1')!;
      expect(node.annotations['example.com/owner']).toBe('ops');
      expect(node.labels.tier).toBe('gold');
      expect(node.unschedulable).toBe(true);

      expect((await kubectl(...ctx, 'uncordon', 'worker-1')).stdout).toContain('node/worker-1 uncordoned');
      expect(cluster.state.nodes.get(undefined, 'worker-1')!.unschedulable).toBe(false);
      expect(
        fleet.timeline.events
          .filter((e) => e.node === 'worker-1' && e.cluster === cluster.name)
          .map((e) => e.kind),
      ).toEqual(['cordon', 'uncordon']);
    }
  });

  it('describes a node with its MCO annotations, conditions and pods', async () => {
    const { stdout, code } = await kubectl('--context', 'staging', 'describe', 'node', 'worker-1');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Name:\s+worker-1$/m);
    expect(stdout).toMatch(/^Roles:\s+worker$/m);
    expect(stdout).toContain(`${A.state}: Done`);
    expect(stdout).toMatch(/Ready\s+True/);
    expect(stdout).toMatch(/^Lease:\n\s+HolderIdentity:\s+worker-1$/m);
    expect(stdout).toMatch(/Non-terminated Pods:\s+\(\d+ in total\)/);
    expect(stdout).toContain('node-exporter-');
  });

  it('drains a node through the Eviction API, leaving DaemonSet pods', async () => {
    const { stdout, stderr, code } = await kubectl(
      '--context',
      'dev',
      'drain',
      'worker-0',
      '--ignore-daemonsets',
      '--timeout=15s',
    );
    expect(stderr).toContain('ignoring DaemonSet-managed Pods: monitoring/node-exporter-');
    expect(code).toBe(0);
    expect(stdout).toContain('node/worker-0 drained');
    expect(fleet.cluster('dev').state.evictablePods('worker-0')).toEqual([]);
    expect(fleet.timeline.events.some((e) => e.cluster === 'dev' && e.kind === 'eviction')).toBe(true);
  });

  it('lists PDBs and MachineConfigPools', async () => {
    const pdbs = await kubectl('--context', 'prod-eu-west', 'get', 'pdb', '-A');
    expect(pdbs.stdout).toMatch(/shop\s+web-pdb\s+3\s+N\/A\s+1/);
    const pools = await kubectl('--context', 'prod-eu-west', 'get', 'mcp');
    expect(pools.stdout).toMatch(/^NAME\s+CONFIG\s+UPDATED\s+UPDATING\s+DEGRADED\s+MACHINECOUNT/);
    expect(pools.stdout).toMatch(/worker\s+rendered-worker-[0-9a-f]{32}\s+True\s+False\s+False\s+8/);
  });

  it('is refused with a wrong token (401) and for writes with the read-only token (403)', async () => {
    const wrong = await kubectl('--context', 'dev', '--token', 'wrong-token-value', 'get', 'nodes');
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toContain('You must be logged in to the server');

    const viewer = fleet.clusters[0]!.readOnlyToken!;
    expect((await kubectl('--context', 'dev', '--token', viewer, 'get', 'nodes')).code).toBe(0);
    const write = await kubectl('--context', 'dev', '--token', viewer, 'cordon', 'worker-1');
    // kubectl cordon reports the error but exits 0; the node must stay schedulable.
    expect(write.stderr).toContain(
      'nodes "worker-1" is forbidden: User "viewer" cannot patch resource "nodes"',
    );
    expect(fleet.cluster('dev').state.nodes.get(undefined, 'worker-1')!.unschedulable).toBe(false);
  });
});
