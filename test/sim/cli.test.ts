import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CoreV1Api, KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { strata } from '../support/cli.ts';
import { smallScenario } from './support.ts';

const cli = fileURLToPath(new URL('../../bin/strata.ts', import.meta.url));

describe('strata sim', () => {
  it('rejects a bad scenario with one line naming the file and field, exit 1', () => {
    const dir = mkdtempSync(join(tmpdir(), 'strata-sim-'));
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, stringify({ ...smallScenario(), timing: { reboot: 'forever' } }));

    const run = strata(['sim', '--scenario', file, '--kubeconfig-out', join(dir, 'kc')]);

    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n')).toEqual([
      `strata: ${file}: timing.reboot: expected a duration: milliseconds, or a string like 500ms, 30s, 2m or 1h`,
    ]);
  });

  it('rejects a bad --time-scale', () => {
    const run = strata(['sim', '--time-scale', 'fast']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('--time-scale: expected a positive number, got "fast"');
  });

  it('runs until SIGINT: prints the cluster table, writes a kubeconfig clients use, stops cleanly', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'strata-sim-'));
    const scenario = join(dir, 'fleet.yaml');
    const twoClusters = smallScenario();
    twoClusters.clusters.push({
      ...structuredClone(twoClusters.clusters[0]!),
      name: 'c2',
      labels: { env: 'prod' },
    });
    writeFileSync(scenario, stringify(twoClusters));
    const kubeconfig = join(dir, 'kc');
    const timeline = join(dir, 'timeline.jsonl');

    const child = spawn(process.execPath, [
      cli,
      'sim',
      '--scenario',
      scenario,
      '--kubeconfig-out',
      kubeconfig,
      '--timeline',
      timeline,
    ]);
    let stdout = '';
    child.stdout.setEncoding('utf8');
    const started = new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: string) => {
        stdout += chunk;
        if (stdout.includes('Ctrl-C to stop')) resolve();
      });
      child.on('exit', (code) => reject(new Error(`exited early with ${code}`)));
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    try {
      await started;
      expect(stdout).toMatch(/c1\s+│\s+env=test\s+│\s+https:\/\/127\.0\.0\.1:\d+\s+│\s+worker \(4\)/);
      expect(stdout).toContain('2 clusters, 8 nodes; kubeconfig:');

      const kc = new KubeConfig();
      kc.loadFromFile(kubeconfig);
      expect(kc.getCurrentContext()).toBe('c1');
      for (const context of ['c1', 'c2']) {
        kc.setCurrentContext(context);
        const core = kc.makeApiClient(CoreV1Api);
        await core.patchNode(
          { name: 'worker-0', body: { spec: { unschedulable: true } } },
          setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
        );
        expect((await core.listNode()).items).toHaveLength(4);
      }
    } finally {
      child.kill('SIGINT');
    }

    expect(await exited).toBe(0);
    expect(stdout).toContain('stopped; 2 timeline events');
    expect(stdout).toContain('invariants: 2 violation(s)');
    expect(stdout).toContain('left-cordoned c1/worker-0 (pool worker): node left cordoned (last state Done)');
    const events = readFileSync(timeline, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(events.map((e) => [e.cluster, e.node, e.kind])).toEqual([
      ['c1', 'worker-0', 'cordon'],
      ['c2', 'worker-0', 'cordon'],
    ]);
  });
});
