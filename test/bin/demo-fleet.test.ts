/**
 * The CLI against the fleet `npm start` runs (sim/scenarios/openshift.yaml: dev, staging and two prod OpenShift
 * clusters, only the prod ones with an infra pool, and two plain Kubernetes clusters) with the demo track applied: `strata plan` of the demo image, and
 * the width of every table.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_IMAGE, DEMO_TRACK, type RunningStrata, startStrata } from '../../local/start.ts';
import { loadScenario } from '../../sim/index.ts';

const cli = fileURLToPath(new URL('../../bin/strata.ts', import.meta.url));
let strata: RunningStrata;

/** Runs `strata …` without blocking this process (the Strata it talks to runs here). */
function run(
  args: string[],
  input?: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], {
      env: { ...process.env, STRATA_URL: strata.url },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    child.stdin.end(input);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const widest = (text: string) => Math.max(...text.split('\n').map((line) => line.length));

beforeAll(async () => {
  strata = await startStrata({ scenario: loadScenario(), port: 0, onWarning: () => {} });
  // The demo track, as `strata start` applies it, given to the CLI in the track-file shape.
  const { image } = DEMO_TRACK;
  const file = JSON.stringify({ ...DEMO_TRACK, image: `${image.host}/${image.repository}:${image.tag}` });
  const applied = await run(['track', 'apply', '-f', '-'], file);
  if (applied.code !== 0) throw new Error(applied.stderr);
}, 60_000);

afterAll(async () => {
  await strata?.stop();
});

describe('the CLI on the demo fleet', { timeout: 120_000 }, () => {
  it('plan of the demo image: the infra pools dev, staging and the edge clusters lack are notices, not refusals (exit 0)', async () => {
    const out = await run(['plan', `${DEMO_IMAGE.reference}@${DEMO_IMAGE.digest}`]);
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    expect(out.stdout).toContain(
      [
        'Notices:',
        '  - cluster dev: no pool infra registered; the rollout skips it there',
        '  - cluster edge-a: no pool infra registered; the rollout skips it there',
        '  - cluster edge-b: no pool infra registered; the rollout skips it there',
        '  - cluster staging: no pool infra registered; the rollout skips it there',
        'Refusals: none',
      ].join('\n'),
    );
    expect(out.stdout).toMatch(
      /\n {4}prod-us-east\/infra: rendered-infra-[0-9a-f]{32} \(maxUnavailable 1\)\n/,
    );
  });

  it('keeps every table within 120 columns; -o wide has the rest', async () => {
    for (const kind of ['pools', 'nodes', 'clusters', 'tracks']) {
      const out = await run(['get', kind]);
      expect(out.code).toBe(0);
      expect(out.stdout.split('\n').length).toBeGreaterThan(2);
      expect(widest(out.stdout), `strata get ${kind}`).toBeLessThanOrEqual(120);
    }
    const wide = await run(['get', 'pools', '-o', 'wide']);
    expect(wide.stdout.split('\n')[0]).toContain('READYMACHINECOUNT');
    expect(widest(wide.stdout)).toBeGreaterThan(120);
  });
});
