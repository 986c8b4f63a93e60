/**
 * `strata start --config`: a cluster reached only through a kubeconfig context (here a simulated cluster
 * standing in for a real one), a track and webhook settings from the file; a published image rolls out to
 * it end to end.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadStartConfig, type RunningStrata, startStrata } from '../../local/start.ts';
import { type Fleet, startFleet } from '../../sim/index.ts';
import { smallScenario } from '../sim/support.ts';

const dir = mkdtempSync(join(tmpdir(), 'strata-config-'));
const digest = `sha256:${'f'.repeat(64)}`;
let fleet: Fleet;
let strata: RunningStrata;

async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${strata.url}/v1${path}`, {
    method,
    ...(body ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}),
  });
  return (await res.json()) as T;
}

beforeAll(async () => {
  fleet = await startFleet(smallScenario());
  fleet.writeKubeconfig(join(dir, 'kubeconfig'));
  const file = join(dir, 'strata.yaml');
  writeFileSync(
    file,
    [
      'clusters:',
      '  - name: lab',
      '    kubeconfig: kubeconfig', // relative to the config file
      '    context: c1',
      '    labels: { env: lab }',
      '    pools: [worker]',
      'tracks:',
      '  - name: lab',
      `    image: quay.io/acme/rhcos:lab`,
      '    targets: { clusterSelector: { matchLabels: { env: lab } } }',
      '    strategy: { soakSeconds: 0 }',
      'webhooks:',
      '  providers:',
      '    quay: { auth: [{ kind: url-token, token: s3cret-token-value }] }',
      '',
    ].join('\n'),
  );
  strata = await startStrata({ config: loadStartConfig(file), port: 0, onWarning: () => {} });
}, 60_000);

afterAll(async () => {
  await strata?.stop();
  await fleet?.stop();
});

describe('strata start --config', () => {
  it('serves the configured registry webhooks on the HTTP front', async () => {
    // The pushed tag's digest is declared first, so that image-push resolves it without asking quay.io.
    await api('POST', '/publish', { image: `quay.io/acme-os/rhcos-layered:prod-2026.03@${digest}` });
    const body = readFileSync(new URL('../fixtures/registries/quay/repo-push.json', import.meta.url), 'utf8');
    const post = (token: string) =>
      fetch(`${strata.url}/hooks/quay/${token}`, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json' },
      });
    const accepted = await post('s3cret-token-value');
    expect(accepted.status).toBe(202);
    expect(await accepted.json()).toMatchObject({ accepted: 1 });
    expect((await post('wrong-token-value')).status).toBe(401);
  });

  it('registers the kubeconfig cluster and the track, and rolls a published image out to it', async () => {
    // Prepare: what the file configured.
    expect(strata.fleet).toBeNull();
    const clusters = await api<{ items: { id: string; credentials: { kind: string }; endpoint: string }[] }>(
      'GET',
      '/clusters',
    );
    expect(clusters.items).toEqual([
      expect.objectContaining({
        id: 'lab',
        endpoint: fleet.cluster('c1').server,
        credentials: expect.objectContaining({ kind: 'kubeconfig' }),
      }),
    ]);
    expect((await api<{ items: { name: string }[] }>('GET', '/tracks')).items.map((t) => t.name)).toEqual([
      'lab',
    ]);
    // Act
    const published = await api<{ rollouts: string[] }>('POST', '/publish', {
      image: `quay.io/acme/rhcos:lab@${digest}`,
    });
    const [id] = published.rollouts;
    const deadline = Date.now() + 60_000;
    let status = '';
    while (status !== 'Completed') {
      if (Date.now() > deadline) throw new Error(`rollout ${id} stuck at ${status}`);
      await new Promise((r) => setTimeout(r, 200));
      status = (await api<{ rollout?: { status: string } }>('GET', `/rollouts/${id}`)).rollout?.status ?? '';
    }
    // Assess: every node of the cluster runs the image, and the pool never had two nodes out at once.
    const nodes = fleet.cluster('c1').state.nodes.list();
    expect(nodes).toHaveLength(4);
    for (const n of nodes) {
      expect(n.annotations['machineconfiguration.openshift.io/currentImage']).toBe(
        `quay.io/acme/rhcos@${digest}`,
      );
    }
    const report = fleet.checkInvariants();
    expect(report.violations).toEqual([]);
    expect(report.pools[0]!.peakUnavailable).toBe(1);
  }, 90_000);
});
