/**
 * `strata describe rollout ID`: the rollout's waves, each cluster's and pool's progress, why anything is
 * blocked, and its audit events (`-o json|yaml` for the whole description).
 */
import type { RolloutDescription } from '../../functions/core/admin/index.ts';
import { CliError, EXIT_USAGE } from '../cli-error.ts';
import { type ConnectionOptions, clientFor } from '../client/index.ts';
import type { OutputFormat } from '../commands/options.ts';
import { formatAge } from '../views/age.ts';
import { renderData } from '../views/output.ts';
import { naturally } from '../views/sort.ts';
import { renderTable } from '../views/table.ts';

/** The human-readable description. */
export function formatDescription(d: RolloutDescription, now = new Date()): string {
  const r = d.rollout;
  const s = r.strategy;
  const lines = [
    `Name:        ${r.id}`,
    `Track:       ${r.track}`,
    `Image:       ${r.image.host}/${r.image.repository}@${r.image.digest}`,
    `Status:      ${r.status}`,
    `Cause:       ${r.cause}`,
    `Created:     ${r.createdAt} (${formatAge(r.createdAt, now)} ago)`,
    `Strategy:    maxConcurrentClusters ${s.maxConcurrentClusters}, soak ${s.soakSeconds}s, ` +
      `budgets pool ${s.poolFailureBudget} / fleet ${s.fleetFailureBudget}, onFailure ${s.onFailure}` +
      (s.maxUnavailable !== undefined ? `, maxUnavailable ${s.maxUnavailable}` : ''),
    `Pools:       ${r.targets.pools.join(', ')}`,
    'Waves:',
  ];
  if (d.waves.length === 0) lines.push('  (not planned yet)');
  for (const w of d.waves) {
    lines.push(`  ${w.index + 1}. ${w.name} (${w.phase})`);
    for (const c of w.clusters) {
      lines.push(`     ${c.id}: ${c.phase}`);
      for (const p of c.pools) {
        const parts = [
          `${p.updatedMachineCount ?? 0}/${p.machineCount ?? '?'} updated`,
          ...(p.inFlight.length ? [`in flight: ${naturally(p.inFlight).join(', ')}`] : []),
          ...(p.failed.length ? [`failed: ${naturally(p.failed).join(', ')}`] : []),
          ...(p.holds.filter((h) => h !== 'no-target').length ? [`holds: ${p.holds.join(', ')}`] : []),
        ];
        lines.push(`       ${p.pool.padEnd(10)} ${parts.join('; ')}${p.config ? `  (${p.config})` : ''}`);
      }
    }
  }
  lines.push('Blocked:');
  if (d.blocked.length === 0) lines.push('  nothing');
  for (const b of d.blocked) lines.push(`  - ${b}`);
  lines.push('Events:');
  const events = d.events.map((e) => [formatAge(e.time, now), e.kind, e.actor, e.message]);
  if (events.length === 0) lines.push('  none');
  else
    lines.push(
      renderTable(['AGE', 'KIND', 'ACTOR', 'MESSAGE'], events)
        .split('\n')
        .map((l) => `  ${l}`)
        .join('\n'),
    );
  return lines.join('\n');
}

/** `strata describe KIND ID`. */
export async function describe(
  kind: string,
  id: string,
  options: ConnectionOptions & { output: OutputFormat },
): Promise<void> {
  if (kind !== 'rollout' && kind !== 'rollouts') {
    throw new CliError(
      `describe ${kind}: only rollouts can be described (strata describe rollout ID)`,
      EXIT_USAGE,
    );
  }
  const format = options.output;
  const d = await clientFor(options).get<RolloutDescription>(`/rollouts/${encodeURIComponent(id)}`);
  process.stdout.write(
    `${format === 'json' || format === 'yaml' ? await renderData(format, d) : formatDescription(d)}\n`,
  );
}
