/**
 * `strata start` end to end, as a child process: the demo rollout on the default simulated fleet (OpenShift
 * clusters running MCO, plain Kubernetes clusters) completes with the simulator's invariant checker reporting
 * no violation, and the real kubectl shows MCO's pools updated to the demo image; Ctrl-C stops cleanly; bad options and
 * configuration files are refused naming the option, file and field.
 */
import { execFileSync, spawn } from 'node:child_process';
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

/** The demo image (`repo@sha256:…`) from start's output. */
function demoImage(stdout: string): string {
  const m = /published (quay\.io\/strata\/rhcos-layered):demo@(sha256:[0-9a-f]{64})/.exec(stdout);
  if (!m) throw new Error('no published demo image in the output');
  return `${m[1]}@${m[2]}`;
}

function kubectl(kubeconfig: string, context: string, ...args: string[]): string {
  return execFileSync('kubectl', ['--kubeconfig', kubeconfig, '--context', context, ...args], {
    encoding: 'utf8',
    timeout: 30_000,
  });
}

/**
 * Per targeted pool of each OpenShift cluster, what `kubectl get mcp` and the rendered config it names say:
 * UPDATED, the rendered osImageURL and the image layer's (named "the demo image" when they are it), and how
 * many of the cluster's nodes carry desiredImage.
 */
function kubectlView(kubeconfig: string, image: string): Record<string, unknown> {
  const view: Record<string, unknown> = {};
  const named = (v: string) => (v === image ? 'the demo image' : v);
  for (const cluster of ['dev', 'staging', 'prod-us-east', 'prod-eu-west']) {
    const table = kubectl(kubeconfig, cluster, 'get', 'mcp');
    const nodes = JSON.parse(kubectl(kubeconfig, cluster, 'get', 'nodes', '-o', 'json')) as {
      items: { metadata: { annotations?: Record<string, string> } }[];
    };
    const desiredImage = nodes.items.filter(
      (n) => n.metadata.annotations?.['machineconfiguration.openshift.io/desiredImage'] !== undefined,
    ).length;
    for (const pool of ['worker', ...(cluster.startsWith('prod') ? ['infra'] : [])]) {
      const row = table
        .split('\n')
        .find((l) => l.startsWith(`${pool} `))!
        .split(/\s+/);
      const config = row[1]!;
      const osImageURL = kubectl(
        kubeconfig,
        cluster,
        'get',
        'mc',
        config,
        '-o',
        'jsonpath={.spec.osImageURL}',
      );
      const layer = kubectl(
        kubeconfig,
        cluster,
        'get',
        'mc',
        `99-strata-${pool}-os-image`,
        '-o',
        'jsonpath={.spec.osImageURL}',
      );
      view[`${cluster}/${pool}`] = {
        updated: row[2],
        osImageURL: named(osImageURL),
        layer: named(layer),
        desiredImage,
      };
    }
  }
  return view;
}

describe('strata start', () => {
  it('completes the demo rollout; kubectl shows every targeted OpenShift pool updated by MCO to the demo image; no violation', async () => {
    // Prepare
    const timeline = join(dir, 'timeline.jsonl');
    const kubeconfig = join(dir, 'kubeconfig');
    const checked: { kubectl?: Record<string, unknown>; error?: unknown } = {};
    // Act: the demo, then (while Strata and the fleet still serve) the real kubectl against the fleet.
    const run = await start(
      ['--port', '0', '--timeline', timeline, '--kubeconfig-out', kubeconfig],
      (text, child) => {
        if (!text.includes('Ctrl-C to stop') || checked.kubectl || checked.error) return;
        try {
          checked.kubectl = kubectlView(kubeconfig, demoImage(text));
        } catch (error) {
          checked.error = error;
        }
        child.kill('SIGINT');
      },
    );
    // Assess (stderr may carry retried races between handlers: the verdict is the exit code and the checker)
    expect(run.code).toBe(0);
    expect(checked.error).toBeUndefined();
    expect(run.stdout).toMatch(/published quay\.io\/strata\/rhcos-layered:demo@sha256:[0-9a-f]{64}/);
    expect(run.stdout).toContain('not resolved from any registry');
    expect(run.stdout).toMatch(/rollout demo-[0-9a-f]{12}: Completed after/);
    expect(run.stdout).toMatch(/CLUSTER +NAME +CONFIG +UPDATED +UPDATING +DEGRADED +NODES +AGE\n/);
    // Every targeted OpenShift pool is updated: all machines updated, none degraded.
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
    // kubectl on every OpenShift cluster: the targeted pools UPDATED True on a rendered config whose
    // osImageURL is the demo digest, reached through Strata's image-layer MachineConfig; no desiredImage.
    expect(checked.kubectl).toEqual(
      Object.fromEntries(
        ['dev', 'staging', 'prod-us-east', 'prod-eu-west'].flatMap((cluster) =>
          ['worker', ...(cluster.startsWith('prod') ? ['infra'] : [])].map((pool) => [
            `${cluster}/${pool}`,
            { updated: 'True', osImageURL: 'the demo image', layer: 'the demo image', desiredImage: 0 },
          ]),
        ),
      ),
    );
    // The timeline written by the simulator, checked again from the file (desired-flip included).
    const events = readFileSync(timeline, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as TimelineEvent);
    expect(events.filter((e) => e.kind === 'done').length).toBe(40);
    // Only MCO's node controller told OpenShift nodes their config.
    const openshift = new Set(['dev', 'staging', 'prod-us-east', 'prod-eu-west']);
    expect(
      events.filter(
        (e) => e.kind === 'desired' && openshift.has(e.cluster) && e.by !== 'machine-config-controller',
      ),
    ).toEqual([]);
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
  }, 300_000);

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
