/**
 * `strata start` end to end, as a child process: the demo rollout on the default simulated fleet completes
 * with the simulator's invariant checker reporting no violation; Ctrl-C stops cleanly; bad options and
 * configuration files are refused naming the option, file and field.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkInvariants, type TimelineEvent } from '../../sim/index.ts';

const cli = fileURLToPath(new URL('../../bin/strata.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'strata-start-'));

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `strata start …`; `onStdout` may act on the output as it comes (e.g. send a signal). */
function start(
  args: string[],
  onStdout?: (text: string, child: ReturnType<typeof spawn>) => void,
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, 'start', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString();
      onStdout?.(stdout, child);
    });
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

describe('strata start', () => {
  it('completes the demo rollout with no invariant violation (--exit-when-done)', async () => {
    // Prepare
    const timeline = join(dir, 'timeline.jsonl');
    // Act
    const run = await start(['--exit-when-done', '--port', '0', '--timeline', timeline]);
    // Assess (stderr may carry retried races between handlers: the verdict is the exit code and the checker)
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/published quay\.io\/strata\/rhcos-layered:demo@sha256:[0-9a-f]{64}/);
    expect(run.stdout).toContain('not resolved from any registry');
    expect(run.stdout).toMatch(/rollout demo-[0-9a-f]{12}: Completed after/);
    expect(run.stdout).toMatch(/CLUSTER +NAME +CONFIG +UPDATED +UPDATING +DEGRADED +NODES +AGE\n/);
    // Every pool of the default fleet is updated: all machines updated, none degraded.
    for (const [cluster, pool, n] of [
      ['dev', 'worker', 3],
      ['staging', 'worker', 4],
      ['prod-us-east', 'worker', 12],
      ['prod-us-east', 'infra', 3],
      ['prod-eu-west', 'worker', 8],
      ['prod-eu-west', 'infra', 3],
    ] as const) {
      expect(run.stdout).toMatch(
        new RegExp(`${cluster} +${pool} +rendered-${pool}-[0-9a-f]{32} +True +False +False +${n}/${n} `),
      );
    }
    // The plain clusters' pools (the agent driver): their target is the image, no rendered config.
    for (const [cluster, n] of [
      ['edge-a', 4],
      ['edge-b', 3],
    ] as const) {
      expect(run.stdout).toMatch(
        new RegExp(`${cluster} +worker +rhcos-layered@sha256:[0-9a-f]{12} +True +False +False +${n}/${n} `),
      );
    }
    expect(run.stdout).toContain('invariants: 0 violation(s)');
    expect(run.stdout.trimEnd().endsWith('stopped')).toBe(true);
    // The timeline written by the simulator, checked again from the file.
    const events = readFileSync(timeline, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as TimelineEvent);
    expect(events.filter((e) => e.kind === 'done').length).toBe(40);
    const limits = [
      { cluster: 'dev', pool: 'worker', maxUnavailable: 1 },
      { cluster: 'staging', pool: 'worker', maxUnavailable: 1 },
      { cluster: 'prod-us-east', pool: 'worker', maxUnavailable: 2 },
      { cluster: 'prod-us-east', pool: 'infra', maxUnavailable: 1 },
      { cluster: 'prod-eu-west', pool: 'worker', maxUnavailable: 2 },
      { cluster: 'prod-eu-west', pool: 'infra', maxUnavailable: 1 },
      { cluster: 'edge-a', pool: 'worker', maxUnavailable: 1 },
      { cluster: 'edge-b', pool: 'worker', maxUnavailable: 1 },
    ];
    expect(checkInvariants(events, limits).violations).toEqual([]);
  }, 240_000);

  it('serves until SIGINT, then stops cleanly', async () => {
    // Act
    const run = await start(['--no-demo', '--port', '0'], (text, child) => {
      if (text.includes('Ctrl-C to stop') && child.exitCode === null && !child.killed) child.kill('SIGINT');
    });
    // Assess
    expect(run.stdout).toContain('Strata admin API: http://127.0.0.1:');
    expect(run.stdout.trimEnd().endsWith('stopped')).toBe(true);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
  }, 60_000);

  it('refuses unusable options (exit 2) and configuration files naming the file and field (exit 1)', async () => {
    const port = await start(['--port', 'eighty']);
    expect(port.code).toBe(2);
    expect(port.stderr).toContain('--port: expected an integer 0..65535, got "eighty"');

    const noDemo = await start(['--no-demo', '--exit-when-done']);
    expect(noDemo.code).toBe(2);

    const config = join(dir, 'bad.yaml');
    writeFileSync(config, 'clusters:\n  - name: lab\n    pools: [worker]\n    relay: maybe\n');
    const bad = await start(['--config', config, '--port', '0']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(`${config}: clusters[0].relay: `);

    const missing = join(dir, 'kc-missing.yaml');
    writeFileSync(missing, `clusters:\n  - name: lab\n    kubeconfig: ${join(dir, 'nope')}\n`);
    const noKubeconfig = await start(['--config', missing, '--port', '0']);
    expect(noKubeconfig.code).toBe(1);
    expect(noKubeconfig.stderr).toContain(`${missing}: clusters[0].kubeconfig: `);

    const tracks = join(dir, 'tracks.yaml');
    writeFileSync(
      tracks,
      'tracks:\n  - name: t\n    image: quay.io/a/b:c\n    strategy: { soakSeconds: -1 }\n',
    );
    const badTrack = await start(['--config', tracks, '--port', '0']);
    expect(badTrack.code).toBe(1);
    expect(badTrack.stderr).toContain(`${tracks}: track "t": strategy.soakSeconds: `);
  }, 60_000);
});
