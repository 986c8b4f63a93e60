/**
 * The dashboard in a real browser (Debian's Chromium through playwright-core) against a real Strata on this
 * machine: the embedded control plane, the simulated fleet, the dashboard at the root of the admin address.
 * The demo rollout appears and completes on the page without a reload; pause and resume from the page reach
 * the API; a halted rollout shows its reason; every view passes axe-core's WCAG 2.1 AA rules; the
 * `strata dashboard` proxy serves the same page with its token. Screenshots are kept in
 * test-results/dashboard/ (a failed test leaves one of the page it failed on, and Strata's rollouts, pools
 * and warnings as JSON).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createAdminClient } from '../../bin/client/index.ts';
import { hasChromium, launchChromium } from '../../dashboard/browser.ts';
import { buildDashboard } from '../../dashboard/build.ts';
import {
  accessibilityViolations,
  applyDemoTrack,
  digestOf,
  publishDemo,
  rolloutStatus,
  startDemoStrata,
} from '../../dashboard/demo.ts';
import type { NodeHistory } from '../../functions/core/history/index.ts';
import type { RunningStrata } from '../../local/start.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const artefacts = join(root, 'test-results', 'dashboard');
const cli = join(root, 'bin', 'strata.ts');
const chromium = hasChromium();
if (!chromium) {
  process.stderr.write(
    'test/dashboard/dashboard.test.ts: skipped: /usr/bin/chromium is absent (apt-get install chromium; .ci/run installs it)\n',
  );
}

/** The page's globals this test reads (the file is typed for Node). */
interface PageGlobals {
  document: { activeElement: { textContent: string | null } | null };
  sessionStorage: { getItem(key: string): string | null };
}

/** Waits until the element matching `selector` has `text` (the page updating itself; no reload). */
async function waitForText(page: Page, selector: string, text: string | RegExp, timeout = 60_000) {
  await page.locator(selector).filter({ hasText: text }).first().waitFor({ timeout });
}

describe.skipIf(!chromium)('the dashboard in a real browser', { timeout: 480_000 }, () => {
  let strata: RunningStrata;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];
  const requested: string[] = [];
  const warnings: string[] = [];

  beforeAll(async () => {
    mkdirSync(artefacts, { recursive: true });
    await buildDashboard();
    strata = await startDemoStrata(400, (line) => warnings.push(`${new Date().toISOString()} ${line}`));
    browser = await launchChromium();
    // bypassCSP: the page's policy admits only its own scripts; axe-core is injected by the test.
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
    page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('request', (r) => requested.push(r.url()));
  }, 120_000);

  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail' && page) {
      // What Strata said and held when the page did not show what was expected.
      const name = ctx.task.name.slice(0, 40).replace(/\W+/g, '-');
      const client = createAdminClient({ url: strata.url });
      const state = {
        rollouts: await client.get('/rollouts').catch(String),
        pools: await client.get('/pools').catch(String),
        warnings,
      };
      writeFileSync(join(artefacts, `failed-${name}.json`), JSON.stringify(state, null, 2));
      await page.screenshot({
        path: join(artefacts, `failed-${ctx.task.name.slice(0, 40).replace(/\W+/g, '-')}.png`),
        fullPage: true,
      });
    }
  });

  afterAll(async () => {
    await browser?.close();
    await strata?.stop();
  });

  it('shows every registered cluster, then the demo rollout as it happens; pause and resume from the page reach the API; it completes without a reload', async () => {
    // Prepare: the fleet page, before any rollout.
    await page.goto(`${strata.url}/`);
    for (const cluster of strata.clusters) await page.locator(`tr[data-cluster="${cluster}"]`).waitFor();
    expect(strata.clusters.sort()).toEqual([
      'dev',
      'edge-a',
      'edge-b',
      'prod-eu-west',
      'prod-us-east',
      'staging',
    ]);
    // Every registered pool: worker everywhere, master and infra in prod.
    expect(await page.locator('a.cell[data-pool]').count()).toBe(10);
    await page.evaluate(() => {
      (globalThis as unknown as { loadedOnce: boolean }).loadedOnce = true;
    });
    expect(await accessibilityViolations(page)).toEqual([]);

    // Act: the demo track and its image, through the API as `strata start` does.
    await applyDemoTrack(strata.url);
    const demoId = await publishDemo(strata.url);

    // Assess: the rollout appears on the fleet page by itself.
    await page.locator(`article[aria-label="rollout ${demoId}"]`).waitFor({ timeout: 60_000 });
    await page.screenshot({ path: join(artefacts, 'fleet-rollout-started.png'), fullPage: true });

    // Open it from the keyboard.
    await page.locator(`article[aria-label="rollout ${demoId}"] a`).focus();
    await page.keyboard.press('Enter');
    await page.locator('[data-testid="rollout-status"]').waitFor();
    expect(new URL(page.url()).hash).toBe(`#/rollouts/${demoId}`);

    // Act: pause, confirmed in the dialog.
    await page.getByRole('button', { name: 'Pause', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: `Pause rollout ${demoId}?` });
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Pause rollout' }).click();
    // Assess: paused in the API, and the page says so by itself.
    expect((await rolloutStatus(strata.url, demoId)).status).toBe('Paused');
    await waitForText(page, '[data-testid="rollout-status"]', 'Paused', 60_000);
    await waitForText(page, '[data-testid="blocked"]', 'paused by hand', 60_000);
    await waitForText(page, 'table.list td', 'Paused', 60_000);
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.screenshot({ path: join(artefacts, 'rollout-paused.png'), fullPage: true });

    // Act: resume, from the keyboard only (Cancel has focus when the dialog opens).
    await page.getByRole('button', { name: 'Resume', exact: true }).focus();
    await page.keyboard.press('Enter');
    const resume = page.getByRole('dialog', { name: `Resume rollout ${demoId}?` });
    await resume.waitFor();
    expect(
      await page.evaluate(() => (globalThis as unknown as PageGlobals).document.activeElement?.textContent),
    ).toBe('Cancel');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await resume.waitFor({ state: 'hidden' });
    expect((await rolloutStatus(strata.url, demoId)).status).not.toBe('Paused');

    // Assess: the page reaches Completed by polling, on the same document.
    await waitForText(page, '[data-testid="rollout-status"]', 'Completed', 300_000);
    expect((await rolloutStatus(strata.url, demoId)).status).toBe('Completed');
    expect(await page.evaluate(() => (globalThis as unknown as { loadedOnce?: boolean }).loadedOnce)).toBe(
      true,
    );
    await page.screenshot({ path: join(artefacts, 'rollout-completed.png'), fullPage: true });

    // The fleet grid shows every pool updated, with MCO's counts.
    await page.getByRole('link', { name: 'Fleet', exact: true }).click();
    for (const [pool, n] of [
      ['dev/worker', 3],
      ['staging/worker', 4],
      ['prod-us-east/worker', 12],
      ['prod-us-east/infra', 3],
      ['prod-eu-west/worker', 8],
      ['prod-eu-west/infra', 3],
      ['edge-a/worker', 4],
      ['edge-b/worker', 3],
    ] as const) {
      await waitForText(page, `a.cell[data-pool="${pool}"]`, `pool ${pool}: Updated`, 60_000);
      await waitForText(
        page,
        `a.cell[data-pool="${pool}"]`,
        `machines ${n} updated ${n} ready ${n} degraded 0`,
        60_000,
      );
    }
    await page.screenshot({ path: join(artefacts, 'fleet-completed.png'), fullPage: true });
    expect(pageErrors).toEqual([]);
    // Offline by construction: every request the page made went to its own origin.
    expect(requested.length).toBeGreaterThan(10);
    expect(requested.filter((u) => new URL(u).origin !== strata.url)).toEqual([]);
  });

  it('a halted rollout shows its reason; the pool and node views show the failed node', async () => {
    // Prepare: dev's worker-1 fails its next update; the canary wave (dev) takes it.
    strata.fleet!.injectFault({ updateFailure: { clusters: ['dev'], nodes: ['worker-1'], probability: 0 } });
    await applyDemoTrack(strata.url);
    // Act
    const id = await publishDemo(strata.url, digestOf('strata dashboard test: a digest whose update fails'));
    await page.goto(`${strata.url}/#/rollouts/${id}`);
    // Assess: halted, with the planner's reason, on the page and in the API.
    await waitForText(page, '[data-testid="rollout-status"]', 'Halted', 180_000);
    const reason = (await rolloutStatus(strata.url, id)).reason;
    expect(reason).toMatch(/pool dev\/worker: 1 degraded nodes exceed the pool failure budget 0/);
    await waitForText(page, '[data-testid="blocked"]', reason!, 60_000);
    await waitForText(page, 'h2#blocked', 'Why it is stopped', 60_000);
    expect(await page.getByRole('button', { name: 'Resume', exact: true }).isEnabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'Pause', exact: true }).isDisabled()).toBe(true);
    await page
      .locator('.pool-line[data-pool="dev/worker"] a.chip.tone-bad', { hasText: 'worker-1' })
      .waitFor();
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.screenshot({ path: join(artefacts, 'rollout-halted.png'), fullPage: true });

    // The pool, in MCO's order: zones a, b, c; worker-1 degraded.
    await page.goto(`${strata.url}/#/pools/dev/worker`);
    await waitForText(page, 'tr[data-node="worker-1"]', 'Degraded', 60_000);
    expect(
      await page.locator('tr[data-node]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-node'))),
    ).toEqual(['worker-0', 'worker-1', 'worker-2']);
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.screenshot({ path: join(artefacts, 'pool-degraded.png'), fullPage: true });

    // Pause the pool from the page, confirmed in the dialog: the API holds it, and the page says so.
    await page.getByRole('button', { name: 'Pause pool', exact: true }).click();
    const pauseDialog = page.getByRole('dialog', { name: 'Pause pool dev/worker?' });
    await pauseDialog.waitFor();
    expect(await accessibilityViolations(page)).toEqual([]);
    await pauseDialog.getByRole('button', { name: 'Pause pool', exact: true }).click();
    await pauseDialog.waitFor({ state: 'hidden' });
    const poolItem = async () =>
      (
        (await (await fetch(`${strata.url}/v1/pools?cluster=dev&pool=worker`)).json()) as {
          items: { paused?: { by: string; at: string }; holds: string[] }[];
        }
      ).items[0]!;
    expect((await poolItem()).paused).toMatchObject({ by: 'admin-api' });
    await waitForText(page, '[data-testid="pool-paused"]', 'by admin-api', 60_000);
    // (The pool's badge stays Degraded: a failed node outranks the hold.)
    await waitForText(page, '.facts', 'the pool is paused', 60_000);
    // dev runs MCO: the reconcile pauses its MachineConfigPool as Strata's.
    const mcpPaused = () =>
      strata.fleet!.cluster('dev').state.machineConfigPool('worker') as unknown as {
        spec: { paused?: boolean };
        metadata: { annotations?: Record<string, string> };
      };
    for (let i = 0; i < 300 && mcpPaused().spec.paused !== true; i++)
      await new Promise((r) => setTimeout(r, 200));
    expect(mcpPaused().spec.paused).toBe(true);
    expect(mcpPaused().metadata.annotations?.['strata.io/pause-reason']).toBe('pool-paused');
    await page.screenshot({ path: join(artefacts, 'pool-paused.png'), fullPage: true });

    // Resume from the page: the hold goes, in the API and on the page.
    await page.getByRole('button', { name: 'Resume pool', exact: true }).click();
    const resumeDialog = page.getByRole('dialog', { name: 'Resume pool dev/worker?' });
    await resumeDialog.getByRole('button', { name: 'Resume pool', exact: true }).click();
    await resumeDialog.waitFor({ state: 'hidden' });
    expect((await poolItem()).paused).toBeUndefined();
    await waitForText(page, '[data-testid="pool-paused"]', /^no$/, 60_000);

    // The node: what its cluster says now, and its history as the control plane observed it: the failed
    // attempt, with the daemon's reason, the same as the API's.
    await page.locator('tr[data-node="worker-1"] a').click();
    await waitForText(page, 'h1', 'dev/worker-1');
    await waitForText(page, '.facts', 'Degraded');
    // History is recorded from the relay's events, after the cluster shows the node Degraded: wait for it.
    const readHistory = async () =>
      (await (await fetch(`${strata.url}/v1/nodes/dev/worker-1/history`)).json()) as NodeHistory;
    let history = await readHistory();
    for (let i = 0; i < 300 && history.attempts.at(-1)?.result !== 'failed'; i++) {
      await new Promise((r) => setTimeout(r, 200));
      history = await readHistory();
    }
    const failed = history.attempts.at(-1)!;
    // dev runs MCO: its node controller tells the node the rendered config (whose osImageURL is the
    // rollout's image), not the image itself.
    expect(failed).toMatchObject({
      result: 'failed',
      target: { config: expect.stringMatching(/^rendered-worker-[0-9a-f]{32}$/) },
    });
    expect(failed.steps.map((s) => s.step)).toEqual(expect.arrayContaining(['cordon', 'target', 'degraded']));
    await waitForText(page, 'li.attempt:first-child .badge', 'failed', 60_000);
    await waitForText(page, 'li.attempt:first-child .reason', failed.reason!);
    expect(await page.locator('li.attempt:first-child ol.steps li').count()).toBe(failed.steps.length);
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.screenshot({ path: join(artefacts, 'node.png'), fullPage: true });

    // Tracks, and the rollouts list.
    await page.getByRole('link', { name: 'Tracks', exact: true }).click();
    await waitForText(page, 'tr[data-track="demo"]', id);
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.getByRole('link', { name: 'Rollouts', exact: true }).click();
    await waitForText(page, `tr[data-rollout="${id}"]`, 'Halted');
    expect(await accessibilityViolations(page)).toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  it("shows a node's update history as the control plane recorded it during the demo", async () => {
    // Prepare: dev/worker-0 was updated by the demo rollout (and perhaps by the halted one after it).
    const answer = await fetch(`${strata.url}/v1/nodes/dev/worker-0/history`);
    expect(answer.status).toBe(200);
    const history = (await answer.json()) as NodeHistory;
    const updated = history.attempts.find((a) => a.result === 'updated')!;
    expect(updated.steps.map((s) => s.step)).toEqual(
      expect.arrayContaining(['cordon', 'target', 'done', 'uncordon']),
    );
    // Act
    await page.goto(`${strata.url}/#/nodes/dev/worker-0`);
    // Assess: one list item per attempt, newest first, each step listed.
    await page.locator('li.attempt').first().waitFor();
    expect(await page.locator('li.attempt').count()).toBe(history.attempts.length);
    const shown = page
      .locator('li.attempt')
      .nth(history.attempts.length - 1 - history.attempts.indexOf(updated));
    expect(await shown.locator('.badge').textContent()).toBe('updated');
    expect(await shown.locator('ol.steps li').count()).toBe(updated.steps.length);
    expect(await shown.locator('.attempt-head .mono').textContent()).toBe(
      updated.target!.config!.slice(0, -24),
    );
    expect(await page.locator('[data-testid="no-history"]').count()).toBe(0);
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.screenshot({ path: join(artefacts, 'node-history.png'), fullPage: true });
  });

  it('through the strata dashboard proxy: the token moves from the URL to the tab, and requests without it are refused', async () => {
    const child: ChildProcess = spawn(
      process.execPath,
      [cli, 'dashboard', '--url', strata.url, '--aws-region', 'eu-west-1', '--port', '0'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          PATH: process.env.PATH,
          HOME: process.env.TMPDIR,
          TMPDIR: process.env.TMPDIR,
          AWS_ACCESS_KEY_ID: 'AKIDSTRATATEST',
          AWS_SECRET_ACCESS_KEY: 'strata-test-secret-key',
          AWS_EC2_METADATA_DISABLED: 'true',
        },
      },
    );
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    try {
      let out = '';
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout!.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /(http:\/\/127\.0\.0\.1:\d+\/#token=[\w-]+)/.exec(out);
          if (m) resolve(m[1]!);
        });
        child.on('close', (code) => reject(new Error(`strata dashboard exited ${code}: ${out}`)));
      });
      const proxied = await context.newPage();
      await proxied.goto(url);
      for (const cluster of strata.clusters) await proxied.locator(`tr[data-cluster="${cluster}"]`).waitFor();
      expect(new URL(proxied.url()).hash).toBe('#/');
      const token = url.slice(url.indexOf('#token=') + 7);
      expect(
        await proxied.evaluate(() =>
          (globalThis as unknown as PageGlobals).sessionStorage.getItem('strata.token'),
        ),
      ).toBe(token);
      const bare = await proxied.evaluate(async () => (await fetch('/v1/clusters')).status);
      expect(bare).toBe(401);
      await proxied.screenshot({ path: join(artefacts, 'proxy-fleet.png'), fullPage: true });
      await proxied.close();
    } finally {
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
  });
});
