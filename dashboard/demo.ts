/**
 * The demo as the dashboard's browser tests and its screenshot script drive it: a Strata on this machine
 * with the simulated fleet and the dashboard at its root, the demo track, published digests, and an
 * accessibility check of a page (axe-core's WCAG 2.1 A and AA rules).
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { createAdminClient } from '../bin/client/index.ts';
import { rolloutId } from '../functions/core/model.ts';
import { DEMO_IMAGE, DEMO_TRACK, type RunningStrata, startStrata } from '../local/start.ts';

/** A Strata on the default simulated fleet, time running `timeScale` times faster. */
export function startDemoStrata(
  timeScale: number,
  onWarning: (line: string) => void,
): Promise<RunningStrata> {
  return startStrata({ timeScale, port: 0, onWarning });
}

/** A digest made from a label (declared with the push: no registry is asked). */
export function digestOf(label: string): string {
  return `sha256:${createHash('sha256').update(label).digest('hex')}`;
}

/** Applies the demo track (as `strata start` does). */
export async function applyDemoTrack(url: string): Promise<void> {
  const t = DEMO_TRACK.image;
  await createAdminClient({ url }).put(`/tracks/${DEMO_TRACK.name}`, {
    ...DEMO_TRACK,
    image: `${t.host}/${t.repository}:${t.tag}`,
  });
}

/** Publishes the demo tag at `digest` (default the demo's) and returns the rollout it starts. */
export async function publishDemo(url: string, digest: string = DEMO_IMAGE.digest): Promise<string> {
  await createAdminClient({ url }).post('/publish', { image: DEMO_IMAGE.reference, digest });
  return rolloutId(DEMO_TRACK.name, digest);
}

/** A rollout's status, through the admin API. */
export async function rolloutStatus(url: string, id: string): Promise<{ status: string; reason?: string }> {
  const d = await createAdminClient({ url }).get<{
    rollout: { status: string; progress?: { failureReason?: string } };
  }>(`/rollouts/${encodeURIComponent(id)}`);
  return {
    status: d.rollout.status,
    ...(d.rollout.progress?.failureReason ? { reason: d.rollout.progress.failureReason } : {}),
  };
}

/** One accessibility finding: the rule and the elements that break it. */
export interface A11yViolation {
  rule: string;
  impact: string | null;
  targets: string[];
}

/** Runs axe-core's WCAG 2.1 A and AA rules on the page as it is now. */
export async function accessibilityViolations(page: Page): Promise<A11yViolation[]> {
  const axe = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
  if (!(await page.evaluate(() => 'axe' in globalThis))) await page.addScriptTag({ path: axe });
  // Runs in the page (this file is typed for Node: the page's globals are reached through globalThis).
  return page.evaluate(async () => {
    const page = globalThis as unknown as {
      document: unknown;
      axe: {
        run(
          context: unknown,
          options: unknown,
        ): Promise<{ violations: { id: string; impact: string | null; nodes: { target: string[] }[] }[] }>;
      };
    };
    const result = await page.axe.run(page.document, {
      runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'],
    });
    return result.violations.map((v) => ({
      rule: v.id,
      impact: v.impact,
      targets: v.nodes.map((n) => n.target.join(' ')),
    }));
  });
}
