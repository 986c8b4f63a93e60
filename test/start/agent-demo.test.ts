/**
 * The demo on the default fleet through the embedded runtime, as `npm start` runs it: the plain
 * Kubernetes clusters (edge-a, edge-b) run the real Strata node agent, and Strata's `agent` driver moves
 * them. After the demo every node of their targeted pool runs the rollout's digest by the agent's own
 * annotations, carries no MCO annotation, and nothing is left cordoned; 0 invariant violations fleet-wide.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createAdminClient } from '../../bin/client/index.ts';
import { applyDemoTrack, publishDemo, rolloutStatus } from '../../dashboard/demo.ts';
import { AgentAnnotations as A, NodeAnnotations } from '../../functions/core/model.ts';
import { DEMO_IMAGE, DEMO_TRACK, demoConverged, type RunningStrata, startStrata } from '../../local/start.ts';
import { loadScenario } from '../../sim/index.ts';

const image = `${DEMO_TRACK.image.host}/${DEMO_TRACK.image.repository}@${DEMO_IMAGE.digest}`;

/** Applies the demo track, publishes the demo image and waits for the rollout to end and the fleet to settle. */
async function runDemo(strata: RunningStrata, timeoutMs: number): Promise<string> {
  await applyDemoTrack(strata.url);
  const id = await publishDemo(strata.url);
  const deadline = Date.now() + timeoutMs;
  let status = '';
  while (Date.now() < deadline) {
    // The push is rolled out through the queues: the rollout appears shortly after the publish.
    status = (await rolloutStatus(strata.url, id).catch(() => ({ status: 'not yet created' }))).status;
    if (['Halted', 'RolledBack', 'Aborted'].includes(status)) break;
    if (status === 'Completed' && demoConverged(strata.fleet!, image)) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  return status;
}

describe('npm start: the demo drives the node agents of the plain clusters end to end', () => {
  let strata: RunningStrata | undefined;
  afterEach(async () => {
    await strata?.stop();
    strata = undefined;
  });

  it('every node of each plain cluster ends on the digest, Done, uncordoned, without MCO annotations', async () => {
    // Prepare: the default scenario, as npm start runs it.
    strata = await startStrata({ port: 0, onWarning: () => {} });
    const fleet = strata.fleet!;
    const plain = fleet.scenario.clusters
      .filter((c) => c.nodeBehaviour === 'strata-agent')
      .map((c) => c.name);
    expect(plain).toEqual(['edge-a', 'edge-b']);
    // Act
    const status = await runDemo(strata, 180_000);
    // Assess
    expect(status).toBe('Completed');
    for (const name of plain) {
      const nodes = fleet
        .cluster(name)
        .state.nodes.list()
        .filter((n) => n.pool === 'worker');
      expect(nodes.length).toBeGreaterThan(0);
      for (const n of nodes) {
        expect({
          node: `${name}/${n.name}`,
          current: n.annotations[A.currentImage],
          state: n.annotations[A.state],
          cordoned: n.unschedulable,
          mco: Object.keys(n.annotations).filter((k) =>
            (Object.values(NodeAnnotations) as string[]).includes(k),
          ),
        }).toEqual({ node: `${name}/${n.name}`, current: image, state: 'Done', cordoned: false, mco: [] });
      }
    }
    // The pools' targets are the image alone, and the admin API lists the agents' state.
    const client = createAdminClient({ url: strata.url });
    const pools = await client.get<{
      items: { clusterId: string; target: { config: string; image: string } }[];
    }>('/pools');
    for (const name of plain)
      expect(pools.items.find((p) => p.clusterId === name)?.target).toMatchObject({ config: '', image });
    const nodes = await client.get<{ items: { clusterId: string; state: string; currentImage: string }[] }>(
      '/nodes?cluster=edge-a',
    );
    expect(nodes.items.every((n) => n.state === 'Done' && n.currentImage === image)).toBe(true);
    const report = fleet.checkInvariants();
    expect(report.violations).toEqual([]);
    expect(report.leftCordoned).toEqual([]);
  }, 240_000);

  it('with 10 % of the API requests timing out, the demo converges: 0 violations, nothing cordoned', async () => {
    // Prepare: every cluster's API server lets 10 % of its requests hang 2 s, then drops them unanswered.
    const scenario = loadScenario();
    scenario.faults.api = {
      errorRate: 0.1,
      errors: ['timeout'],
      retryAfterSeconds: 1,
      timeoutMs: 2000,
      latencyMs: [0, 0],
    };
    strata = await startStrata({ scenario, port: 0, onWarning: () => {} });
    // Act
    const status = await runDemo(strata, 400_000);
    // Assess
    expect(status).toBe('Completed');
    expect(demoConverged(strata.fleet!, image)).toBe(true);
    const report = strata.fleet!.checkInvariants();
    expect(report.violations).toEqual([]);
    expect(report.leftCordoned).toEqual([]);
    for (const c of strata.fleet!.clusters)
      expect(
        c.state.nodes
          .list()
          .filter((n) => n.unschedulable)
          .map((n) => `${c.name}/${n.name}`),
      ).toEqual([]);
  }, 480_000);
});
