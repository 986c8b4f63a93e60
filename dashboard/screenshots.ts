/**
 * `npm run dashboard:screenshots`: refreshes the screenshots of docs/dashboard.md (docs/images/dashboard-*.png).
 * Starts Strata on the simulated fleet, runs the demo rollout, and photographs each view in headless
 * Chromium at the moments the page describes: mid-rollout (fleet, rollout, pool, node), after it (rollouts,
 * tracks with an update check run), and a second rollout halted by a failing node.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { AdminApiError, createAdminClient } from '../bin/client/index.ts';
import type { NodeView, PoolView } from '../functions/core/admin/index.ts';
import { launchChromium } from './browser.ts';
import { buildDashboard } from './build.ts';
import { applyDemoTrack, digestOf, publishDemo, rolloutStatus, startDemoStrata } from './demo.ts';

const images = fileURLToPath(new URL('../docs/images', import.meta.url));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 180_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  // A 404 is "not yet": a published image becomes a rollout once the image queue has been processed.
  const attempt = () =>
    check().catch((error: unknown) => {
      if (error instanceof AdminApiError && error.status === 404) return false;
      throw error;
    });
  while (!(await attempt())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

async function shoot(page: Page, route: string, name: string, ready: string): Promise<void> {
  await page.goto(`${new URL(page.url()).origin}/${route}`);
  await page.locator(ready).first().waitFor({ timeout: 30_000 });
  await sleep(300); // one more paint after the data arrived
  const file = join(images, `dashboard-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  process.stdout.write(`  ${file}\n`);
}

mkdirSync(images, { recursive: true });
await buildDashboard();
const strata = await startDemoStrata(150, () => undefined);
const browser = await launchChromium();
try {
  const client = createAdminClient({ url: strata.url });
  const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  await page.goto(`${strata.url}/`);
  await applyDemoTrack(strata.url);
  const id = await publishDemo(strata.url);
  process.stdout.write(`rollout ${id}: waiting for its second wave\n`);
  // Mid-rollout: the second wave running, a prod worker pool with nodes in flight. prod-us-east runs MCO
  // (the mco driver: MCO picks the nodes, Strata holds no slots), so a node in flight is read live: told
  // MCO's target and not on it yet.
  let node: string | undefined;
  await until('nodes updating in prod-us-east/worker', async () => {
    const query = { cluster: 'prod-us-east', pool: 'worker' };
    const pools = await client.get<{ items: PoolView[] }>('/pools', query);
    const busy = pools.items.find((p) => p.target?.rolloutId === id);
    if (!busy || (busy.status?.updatedMachineCount ?? 0) < 2) return false;
    const nodes = await client.get<{ items: NodeView[] }>('/nodes', query);
    node = nodes.items
      .filter((n) => n.desiredConfig !== null && n.desiredConfig !== n.currentConfig)
      .map((n) => n.name)
      .sort()[0];
    return node !== undefined;
  });
  // The node and its pool first: at this time scale MCO finishes the pool within a few shots.
  await shoot(page, `#/nodes/prod-us-east/${node!}`, 'node', 'li.attempt');
  await shoot(page, '#/pools/prod-us-east/worker', 'pool', 'tr[data-node]');
  await shoot(page, `#/rollouts/${id}`, 'rollout', '.wave-current');
  await shoot(page, '#/', 'fleet', 'a.cell[data-pool="prod-us-east/worker"]');

  await until(
    'the demo rollout to complete',
    async () => (await rolloutStatus(strata.url, id)).status === 'Completed',
  );
  await client.post('/checks', {});
  await until('the update check', async () => {
    const tracks = await client.get<{ items: { check?: { lastCheckedAt: string } }[] }>('/tracks');
    return tracks.items.some((t) => t.check?.lastCheckedAt);
  });
  await shoot(page, '#/tracks', 'tracks', 'tr[data-track="demo"]');

  // A rollout that halts: dev's worker-1 fails its update in the canary wave.
  strata.fleet!.injectFault({ updateFailure: { clusters: ['dev'], nodes: ['worker-1'], probability: 0 } });
  const halted = await publishDemo(
    strata.url,
    digestOf('strata dashboard screenshots: a digest whose update fails'),
  );
  await until(
    'the second rollout to halt',
    async () => (await rolloutStatus(strata.url, halted)).status === 'Halted',
  );
  await shoot(page, `#/rollouts/${halted}`, 'rollout-halted', '[data-testid="blocked"]');
  await shoot(page, '#/rollouts', 'rollouts', `tr[data-rollout="${halted}"]`);
} finally {
  await browser.close();
  await strata.stop();
}
