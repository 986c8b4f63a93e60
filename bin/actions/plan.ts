/**
 * `strata plan IMAGE`: a dry run of rolling IMAGE (`host/repo:tag@sha256:…` or `--digest`) out through every
 * track following it: waves, clusters, pools, rendered config names, the order nodes would start in, what
 * the rollout would skip (notices), and anything MCO or the registration would refuse (refusals: exit 1).
 * Nothing is changed. Without IMAGE, `--track NAME` of a build track: which image each target cluster gets
 * (its own build's digest), which are still pending, and which are refused (exit 1).
 */
import type { BuildPlan } from '../../functions/adapters/builder/plan.ts';
import type { TrackDryRun } from '../../functions/core/admin/index.ts';
import { CliError, EXIT_USAGE } from '../cli-error.ts';
import { type ConnectionOptions, clientFor } from '../client/index.ts';
import type { OutputFormat } from '../commands/options.ts';
import { renderData } from '../views/output.ts';
import { naturally } from '../views/sort.ts';

/** The dry run as text. */
export function formatPlan(image: string, tracks: (TrackDryRun & { rolloutId: string })[]): string {
  const lines = [`Image: ${image}`];
  for (const t of tracks) {
    lines.push(`Track ${t.track} → rollout ${t.rolloutId}`);
    lines.push(
      `  strategy: maxConcurrentClusters ${t.strategy.maxConcurrentClusters}, soak ${t.strategy.soakSeconds}s, onFailure ${t.strategy.onFailure}`,
    );
    for (const [i, w] of t.waves.entries()) {
      lines.push(`  wave ${i + 1} ${w.name}: ${w.clusters.map((c) => c.id).join(', ')}`);
      for (const c of w.clusters) {
        if (c.unreachable) lines.push(`    ${c.id}: unreachable: ${c.unreachable}`);
        for (const p of c.pools) {
          if (p.refusal) {
            lines.push(`    ${c.id}/${p.pool}: REFUSED: ${p.refusal}`);
            continue;
          }
          lines.push(`    ${c.id}/${p.pool}: ${p.renderedConfig} (maxUnavailable ${p.maxUnavailable})`);
          p.batches.forEach((b, j) => {
            lines.push(`      ${String(j + 1).padStart(2)}. ${b.join(', ')}`);
          });
          if (p.upToDate.length) lines.push(`      already there: ${naturally(p.upToDate).join(', ')}`);
          for (const warning of p.warnings) lines.push(`      warning: ${warning}`);
        }
      }
    }
    if (t.notices.length) lines.push('Notices:');
    for (const n of t.notices) lines.push(`  - ${n}`);
    lines.push(t.refusals.length ? 'Refusals:' : 'Refusals: none');
    for (const r of t.refusals) lines.push(`  - ${r}`);
  }
  return lines.join('\n');
}

/** A build track's plan as text. */
export function formatBuildPlan(plan: BuildPlan): string {
  const lines = [`Track ${plan.track}: builds of revision ${plan.revision} → ${plan.repository}`];
  for (const c of plan.clusters) {
    const from = c.release ? ` (${c.release}, FROM ${c.base})` : c.base ? ` (FROM ${c.base})` : '';
    if (c.image) lines.push(`  ${c.clusterId}: ${c.image}${from}`);
    else if (c.refused) lines.push(`  ${c.clusterId}: REFUSED: ${c.refused}${from}`);
    else lines.push(`  ${c.clusterId}: pending: ${c.pending}${from}`);
  }
  if (plan.clusters.length === 0) lines.push('  no target cluster');
  return lines.join('\n');
}

/** `strata plan IMAGE`, or `strata plan --track NAME` of a build track. */
export async function plan(
  image: string | undefined,
  options: ConnectionOptions & { digest?: string; track?: string; output: OutputFormat },
): Promise<void> {
  const format = options.output;
  if (image === undefined) {
    if (!options.track) throw new CliError('plan: name an IMAGE, or a build track with --track', EXIT_USAGE);
    const { builds } = await clientFor(options).post<{ builds: BuildPlan }>('/plan', {
      track: options.track,
    });
    process.stdout.write(
      `${format === 'json' || format === 'yaml' ? await renderData(format, builds) : formatBuildPlan(builds)}\n`,
    );
    if (builds.clusters.some((c) => c.refused)) process.exitCode = 1;
    return;
  }
  const out = await clientFor(options).post<{
    image: string;
    tracks: (TrackDryRun & { rolloutId: string })[];
  }>('/plan', {
    image,
    ...(options.digest ? { digest: options.digest } : {}),
    ...(options.track ? { track: options.track } : {}),
  });
  const refused = out.tracks.some((t) => t.refusals.length > 0);
  process.stdout.write(
    `${format === 'json' || format === 'yaml' ? await renderData(format, out) : formatPlan(out.image, out.tracks)}\n`,
  );
  // A plan with refusals is a failed check (scripts can gate a push on it); notices are not.
  if (refused) process.exitCode = 1;
}
