/**
 * `strata status`: one screen of what needs an operator's eye. The rollouts in flight with a progress bar
 * per wave (machines updated in the wave's targeted pools), the pools that are halted (degraded, failed
 * nodes, held, stuck drains) or stalled (targeted, not updated, unchanged for {@link STALL_AFTER_SECONDS}),
 * the clusters whose API cannot be read, and the tracks whose update check fails or whose base is stale.
 */
import cliProgress from 'cli-progress';
import type { PoolView, RolloutDescription } from '../../functions/core/admin/index.ts';
import { formatAge } from './age.ts';
import { pushFailure, trackCheckCells } from './checks.ts';
import { poolBlocked } from './describe.ts';
import type { TrackItem } from './resources.ts';
import { naturally } from './sort.ts';

/** A targeted pool whose item has not changed for this long while not updated is stalled. */
export const STALL_AFTER_SECONDS = 600;

/** Everything the status screen shows, as read from the admin API. */
export interface StatusData {
  /** Descriptions of the rollouts not in a terminal status, newest first. */
  rollouts: RolloutDescription[];
  pools: PoolView[];
  unreachable: { cluster: string; error: string }[];
  tracks: TrackItem[];
  /** Nodes per pool (`cluster/pool`) as read now: the size of pools no rollout has counted yet. */
  nodeCounts: Record<string, number>;
}

const BAR_SIZE = 24;

/**
 * A progress bar drawn with cli-progress's bar formatter: its `shades_classic` blocks on a terminal, `#`
 * and `-` otherwise (logs and pipes).
 */
export function progressBar(value: number, total: number, tty: boolean): string {
  const progress = total > 0 ? Math.min(1, value / total) : 0;
  const [full, empty] = tty ? ['\u2588', '\u2591'] : ['#', '-'];
  const bar = cliProgress.Format.BarFormat(progress, {
    barsize: BAR_SIZE,
    barCompleteString: full.repeat(BAR_SIZE),
    barIncompleteString: empty.repeat(BAR_SIZE),
    barGlue: '',
  });
  return `[${bar}]`;
}

function updatedPool(p: PoolView): boolean {
  return p.status?.conditions.find((c) => c.type === 'Updated')?.status === 'True';
}

/** Why a pool needs attention, or null: halted (blocked) or stalled. */
export function poolTrouble(p: PoolView, now: Date): string | null {
  const blocked = poolBlocked(p, null);
  if (blocked.length > 0) return blocked.join('; ');
  if (p.target && !updatedPool(p) && Object.keys(p.slots).length === 0) {
    const idle = (now.getTime() - Date.parse(p.updatedAt)) / 1000;
    if (idle >= STALL_AFTER_SECONDS)
      return `stalled: no change for ${formatAge(p.updatedAt, now)} while targeted`;
  }
  return null;
}

/** The status screen. */
export function formatStatus(d: StatusData, options: { now?: Date; tty?: boolean } = {}): string {
  const now = options.now ?? new Date();
  const tty = options.tty ?? false;
  const lines: string[] = ['Rollouts in flight:'];
  if (d.rollouts.length === 0) lines.push('  none');
  for (const r of d.rollouts) {
    const v = r.rollout;
    lines.push(`  ${v.id}  track ${v.track}  ${v.status}  ${formatAge(v.createdAt, now)} old`);
    for (const w of r.waves) {
      const pools = w.clusters.flatMap((c) =>
        c.pools
          .filter((p) => p.targeted || w.phase !== 'current')
          .map((p) => ({ ...p, machineCount: p.machineCount ?? d.nodeCounts[`${c.id}/${p.pool}`] ?? 0 })),
      );
      const total = pools.reduce((n, p) => n + p.machineCount, 0);
      const updated = pools.reduce((n, p) => n + (p.updatedMachineCount ?? 0), 0);
      const clusters = `${w.clusters.filter((c) => c.phase === 'done').length}/${w.clusters.length} clusters`;
      const label = `${w.index + 1}. ${w.name}`.padEnd(14);
      lines.push(
        `    ${label} ${progressBar(updated, total, tty)} ${updated}/${total} nodes, ${clusters}  ${w.phase}`,
      );
    }
    for (const b of r.blocked) lines.push(`    ! ${b}`);
  }
  lines.push('Halted or stalled pools:');
  const troubled = d.pools
    .map((p): [string, string | null] => [`${p.clusterId}/${p.pool}`, poolTrouble(p, now)])
    .filter((t): t is [string, string] => t[1] !== null);
  if (troubled.length === 0) lines.push('  none');
  const byName = new Map(troubled);
  for (const name of naturally([...byName.keys()])) lines.push(`  ${name}: ${byName.get(name)}`);
  lines.push('Unreachable clusters:');
  if (d.unreachable.length === 0) lines.push('  none');
  for (const u of d.unreachable) lines.push(`  ${u.cluster}: ${u.error}`);
  lines.push('Stale tracks:');
  const stale = d.tracks.flatMap((t) => {
    const cells = trackCheckCells(t.check, now);
    const why = [
      ...(t.check?.lastError ? [`update check failing: ${cells['CHECK-ERROR']}`] : []),
      ...(pushFailure(t.check, now) ? [pushFailure(t.check, now)!] : []),
      ...(t.check?.base?.stale ? [`base ${cells.BASE} is stale: ${cells['STALE-BASE']}`] : []),
    ];
    return why.length > 0 ? [`  ${t.name}: ${why.join('; ')}`] : [];
  });
  lines.push(...(stale.length > 0 ? stale : ['  none']));
  return lines.join('\n');
}
