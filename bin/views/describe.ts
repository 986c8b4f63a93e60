/**
 * What `strata describe pool|node|cluster|track` print: each object's state, why it is blocked, and what
 * happened to it lately (its rollout's events; a node's update history). The descriptions are composed by
 * bin/actions/describe.ts from the admin API's answers; these functions only format them.
 */
import type {
  AuditEventView,
  ClusterView,
  NodeView,
  PoolView,
  RolloutDescription,
  RolloutView,
} from '../../functions/core/admin/index.ts';
import type { BuildRecord } from '../../functions/core/builds/index.ts';
import type { ClusterHealth } from '../../functions/core/cluster-health.ts';
import type { NodeAttempt, NodeHistory } from '../../functions/core/history/index.ts';
import { formatAge } from './age.ts';
import { pushFailure, trackCheckCells } from './checks.ts';
import type { TrackItem } from './resources.ts';
import { waveNames } from './resources.ts';
import { naturally } from './sort.ts';
import { renderTable } from './table.ts';

/** A pool with its nodes (read live) and the rollout its target belongs to. */
export interface PoolDescription {
  pool: PoolView;
  nodes: NodeView[];
  /** Why the nodes could not be read (an unreachable cluster). */
  nodesError: string | null;
  rollout: RolloutDescription | null;
}

/** A node (read live), its pool, and its update history (null: none recorded). */
export interface NodeDescription {
  node: NodeView;
  pool: PoolView | null;
  history: NodeHistory | null;
}

/** A cluster with its pools, whether its API answered, and the rollouts that include it. */
export interface ClusterDescription {
  cluster: ClusterView & { health?: ClusterHealth | null };
  pools: PoolView[];
  nodes: NodeView[];
  nodesError: string | null;
  rollouts: RolloutView[];
  /** The latest of `rollouts`, described. */
  latest: RolloutDescription | null;
}

/** A track with what its check found, its rollouts, and the latest one described. */
export interface TrackDescription {
  track: TrackItem;
  rollouts: RolloutView[];
  latest: RolloutDescription | null;
}

const field = (name: string, value: string) => `${`${name}:`.padEnd(14)}${value}`;
const indent = (text: string, by = '  ') =>
  text
    .split('\n')
    .map((l) => `${by}${l}`)
    .join('\n');

function list(title: string, items: string[], none: string): string[] {
  return [`${title}:`, ...(items.length === 0 ? [`  ${none}`] : items.map((i) => `  - ${i}`))];
}

function events(title: string, evs: AuditEventView[], now: Date, limit = 10): string[] {
  if (evs.length === 0) return [`${title}:`, '  none'];
  const rows = evs.slice(-limit).map((e) => [formatAge(e.time, now), e.kind, e.actor, e.message]);
  return [`${title}:`, indent(renderTable(['AGE', 'KIND', 'ACTOR', 'MESSAGE'], rows))];
}

/** A pool's state in one word or two, as the dashboard's fleet grid names it. */
export function poolState(p: PoolView): string {
  const condition = (type: string) => p.status?.conditions.find((c) => c.type === type)?.status === 'True';
  const held = p.holds.filter((h) => h !== 'no-target');
  if (condition('Degraded') || Object.keys(p.failed).length > 0) return 'Degraded';
  if (held.length > 0 && (p.target || p.paused)) return `Held (${held.join(', ')})`;
  if (p.target) return 'Updating';
  return p.lastCompleted ? 'Updated' : 'Baseline';
}

/** A pool's record of the target a node failed on (`config|image`), as `config + image`. */
export function failedTarget(key: string): string {
  return key.split('|').join(' + ');
}

/** Why a pool is not moving: its holds, failed and stuck nodes, and its rollout's reasons about it. */
export function poolBlocked(p: PoolView, rollout: RolloutDescription | null): string[] {
  const key = `${p.clusterId}/${p.pool}`;
  const out = p.holds.filter((h) => h !== 'no-target').map((h) => `held: ${h}`);
  for (const [node, target] of Object.entries(p.failed))
    out.push(`${node} failed on ${failedTarget(target)}`);
  for (const node of p.stuck) out.push(`drain of ${node} ran past the drain timeout`);
  // mco driver: no progress past the progress deadline, in MCO's words (what it waits on, node by node).
  if (p.mco?.blocked) out.push(`no progress: ${p.mco.blocked}`);
  for (const line of rollout?.blocked ?? []) {
    const scoped = line.startsWith('pool ') || line.startsWith('cluster ');
    if (!scoped || line.startsWith(`pool ${key}:`) || line.startsWith(`cluster ${p.clusterId}:`)) {
      if (!out.some((o) => line.endsWith(o))) out.push(`rollout ${rollout!.rollout.id}: ${line}`);
    }
  }
  return out;
}

function nodeStatus(n: NodeView): string {
  return [n.ready ? 'Ready' : 'NotReady', ...(n.unschedulable ? ['SchedulingDisabled'] : [])].join(',');
}

/** `strata describe pool`. */
export function formatPoolDescription(d: PoolDescription, now = new Date()): string {
  const p = d.pool;
  const s = p.status;
  const lines = [
    field('Name', `${p.clusterId}/${p.pool}`),
    field('State', poolState(p)),
    field('Paused', p.paused ? `by ${p.paused.by} at ${p.paused.at} (strata pool resume lifts it)` : 'no'),
    field('Target', p.target ? `${p.target.config} (rollout ${p.target.rolloutId})` : '-'),
    ...(p.target?.image ? [field('Image', p.target.image)] : []),
    field('Completed', p.lastCompleted?.config ?? '-'),
    field(
      'Machines',
      s
        ? `${s.machineCount} total, ${s.updatedMachineCount} updated, ${s.readyMachineCount} ready, ${s.degradedMachineCount} degraded`
        : '- (no rollout has targeted it yet)',
    ),
    field('Conditions', s ? s.conditions.map((c) => `${c.type}=${c.status}`).join(', ') : '-'),
    field('Slots', Object.keys(p.slots).length ? naturally(Object.keys(p.slots)).join(', ') : 'none'),
    field('Updated at', `${p.updatedAt} (${formatAge(p.updatedAt, now)} ago)`),
    ...list('Blocked', poolBlocked(p, d.rollout), 'nothing'),
    'Nodes:',
  ];
  if (d.nodesError) lines.push(`  cannot read the cluster: ${d.nodesError}`);
  else if (d.nodes.length === 0) lines.push('  none');
  else {
    // mco clusters serving MachineConfigNode: each node's update phase as its MCN shows it (last reconcile).
    const mcn = p.mco?.machineConfigNodes;
    const rows = naturally(d.nodes.map((n) => n.name)).map((name) => {
      const n = d.nodes.find((x) => x.name === name)!;
      const phase = mcn?.[n.name];
      return [
        n.name,
        nodeStatus(n),
        n.state ?? '-',
        ...(mcn ? [phase?.phase ?? '-'] : []),
        n.currentConfig ?? '-',
        n.reason || '',
      ];
    });
    const head = ['NAME', 'STATUS', 'STATE', ...(mcn ? ['MCN PHASE'] : []), 'CONFIG', 'REASON'];
    lines.push(indent(renderTable(head, rows)));
  }
  const rolloutEvents = d.rollout?.events ?? [];
  lines.push(...events(`Events${d.rollout ? ` (rollout ${d.rollout.rollout.id})` : ''}`, rolloutEvents, now));
  return lines.join('\n');
}

/** The time between two instants: `0.4s`, `12s`, `3m05s`, `2h10m`. */
export function duration(from: string, to: string): string {
  const s = Math.max(0, (Date.parse(to) - Date.parse(from)) / 1000);
  if (s < 10) return `${s.toFixed(1)}s`;
  if (s < 60) return `${Math.round(s)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

function attemptTarget(a: NodeAttempt): string {
  if (!a.target) return '(not told a target)';
  return [a.target.config, a.target.image].filter(Boolean).join(' + ');
}

/** One attempt: a head line, then each step with the time since the step before. */
export function formatAttempt(a: NodeAttempt, index: number, now: Date): string[] {
  const end = a.endedAt ?? now.toISOString();
  const result = a.result ?? 'in progress';
  const head = `${index}. ${attemptTarget(a)}: ${result} after ${duration(a.startedAt, end)}, started ${a.startedAt}`;
  const steps = a.steps.map((s, i) => {
    const since = i === 0 ? '' : ` (+${duration(a.steps[i - 1]!.at, s.at)})`;
    return `     ${s.at}  ${s.step}${since}`;
  });
  return [`  ${head}`, ...(a.reason ? [`     reason: ${a.reason}`] : []), ...steps];
}

/** `strata describe node`. */
export function formatNodeDescription(d: NodeDescription, now = new Date()): string {
  const n = d.node;
  const slot = d.pool?.slots[n.name] as { since?: string; failed?: boolean; stuck?: boolean } | undefined;
  const failedOn = d.pool?.failed[n.name];
  const blocked: string[] = [];
  if (failedOn) blocked.push(`failed on ${failedTarget(failedOn)}: not started on that target again`);
  if (slot?.stuck) blocked.push('its drain ran past the drain timeout (evictions refused)');
  if (!n.ready) blocked.push('NotReady');
  if (n.state === 'Degraded' || n.state === 'Unreconcilable') blocked.push(`${n.state}: ${n.reason || '-'}`);
  const lines = [
    field('Name', `${n.clusterId}/${n.name}`),
    field('Pool', n.pool ?? '-'),
    field('Status', nodeStatus(n)),
    field('State', `${n.state ?? '-'}${n.reason ? ` (${n.reason})` : ''}`),
    field('Config', `${n.currentConfig ?? '-'} → desired ${n.desiredConfig ?? '-'}`),
    field('Image', `${n.currentImage ?? '-'} → desired ${n.desiredImage ?? '-'}`),
    field('Zone', n.zone ?? '-'),
    field('Created', n.createdAt ? `${n.createdAt} (${formatAge(n.createdAt, now)} ago)` : '-'),
    field('Slot', slot ? `held since ${slot.since ?? '?'}${slot.failed ? ', failed' : ''}` : 'none'),
    ...list('Blocked', blocked, 'nothing'),
    'History:',
  ];
  const attempts = d.history?.attempts ?? [];
  if (attempts.length === 0) lines.push('  no history recorded');
  attempts.forEach((a, i) => {
    lines.push(...formatAttempt(a, i + 1, now));
  });
  return lines.join('\n');
}

/** `strata describe cluster`. */
export function formatClusterDescription(d: ClusterDescription, now = new Date()): string {
  const c = d.cluster;
  const labels = Object.entries(c.labels).map(([k, v]) => `${k}=${v}`);
  const h = c.health;
  const reach = d.nodesError
    ? `unreachable: ${d.nodesError}`
    : `reachable (${d.nodes.length} nodes read now)`;
  const blocked = [
    ...(d.nodesError ? [`cluster API: ${d.nodesError}`] : []),
    ...d.pools.flatMap((p) => poolBlocked(p, null).map((b) => `pool ${p.pool}: ${b}`)),
  ];
  const lines = [
    field('Name', c.id),
    field('Endpoint', c.endpoint),
    field('Labels', labels.length ? labels.join(', ') : '-'),
    field('Credentials', c.credentials.kind),
    field('Registered', `${c.registeredAt} (${formatAge(c.registeredAt, now)} ago)`),
    field('API', reach),
    ...(h
      ? [
          field(
            'Last contact',
            h.lastContact ? `${h.lastContact} (${formatAge(h.lastContact, now)} ago)` : 'never',
          ),
        ]
      : []),
    ...(h?.error ? [field('Last error', `${h.error} (checked ${formatAge(h.checkedAt, now)} ago)`)] : []),
    field(
      'Windows',
      c.windows?.length
        ? c.windows.map((w) => `${w.cron} ${w.timeZone ?? 'UTC'} ${w.durationMinutes}m`).join('; ')
        : 'none (always open)',
    ),
    'Pools:',
  ];
  const rows = d.pools.map((p) => [
    p.pool,
    poolState(p),
    p.target?.config ?? p.lastCompleted?.config ?? '-',
    p.status ? `${p.status.updatedMachineCount}/${p.status.machineCount}` : '-',
    d.nodes.filter((n) => n.pool === p.pool).length.toString(),
  ]);
  lines.push(
    rows.length ? indent(renderTable(['NAME', 'STATE', 'CONFIG', 'UPDATED', 'NODES'], rows)) : '  none',
  );
  lines.push(...list('Blocked', blocked, 'nothing'));
  lines.push(
    ...list(
      'Rollouts',
      d.rollouts.slice(0, 5).map((r) => `${r.id} ${r.status} (${formatAge(r.createdAt, now)} ago)`),
      'none has included it',
    ),
  );
  if (d.latest) lines.push(...events(`Events (rollout ${d.latest.rollout.id})`, d.latest.events, now));
  return lines.join('\n');
}

/** `strata describe track`. */
export function formatTrackDescription(d: TrackDescription, now = new Date()): string {
  const t = d.track;
  const s = t.strategy;
  const cells = trackCheckCells(t.check, now);
  const selector = t.targets.clusterSelector;
  const stale = t.check?.base?.stale === true;
  const blocked = [
    ...(t.check?.lastError ? [`update check failing: ${cells['CHECK-ERROR']}`] : []),
    ...(pushFailure(t.check, now) ? [pushFailure(t.check, now)!] : []),
    ...(t.check?.baseError ? [`base image check: ${t.check.baseError}`] : []),
    ...(stale ? [`stale base: ${cells['STALE-BASE']} (${cells.BASE})`] : []),
    ...(d.latest ? d.latest.blocked.map((b) => `rollout ${d.latest!.rollout.id}: ${b}`) : []),
  ];
  const lines = [
    field('Name', t.name),
    field('Image', `${t.image.host}/${t.image.repository}:${t.image.tag}`),
    field('Clusters', JSON.stringify(selector)),
    field('Pools', t.targets.pools.join(', ')),
    field('Waves', waveNames(s).join(', ')),
    field(
      'Strategy',
      `maxConcurrentClusters ${s.maxConcurrentClusters}, soak ${s.soakSeconds}s, budgets pool ${s.poolFailureBudget} / fleet ${s.fleetFailureBudget}, onFailure ${s.onFailure}`,
    ),
    field('Digest', `${cells.DIGEST} (checked ${cells.CHECKED})`),
    field('Stale base', cells['STALE-BASE']),
    ...list('Blocked', blocked, 'nothing'),
    ...list(
      'Rollouts',
      d.rollouts.slice(0, 5).map((r) => `${r.id} ${r.status} (${formatAge(r.createdAt, now)} ago)`),
      'none yet',
    ),
  ];
  if (d.latest) lines.push(...events(`Events (rollout ${d.latest.rollout.id})`, d.latest.events, now));
  return lines.join('\n');
}

/** `strata describe build`: what it builds on, where it pushes, its state and attempts, and on failure the log tail. */
export function formatBuildDescription(b: BuildRecord, now = new Date()): string {
  const lines = [
    `Name:        ${b.id}`,
    `Track:       ${b.track}`,
    `Revision:    ${b.revision}`,
    `Release:     ${b.release}`,
    `Base:        ${b.base.host}/${b.base.repository}@${b.base.digest}`,
    `Base name:   ${b.baseName}`,
    `Platform:    linux/${b.arch}`,
    `Image:       ${b.target.host}/${b.target.repository}:${b.target.tag}`,
    `Digest:      ${b.digest ?? '-'}`,
    `Status:      ${b.status}${b.awaitingApproval ? ' (awaiting approval: POST /v1/builds/ID/approve)' : ''}`,
    `Attempts:    ${b.attempts}/${b.maxAttempts}`,
    `Clusters:    ${b.clusters.join(', ') || '-'}`,
    `Created:     ${b.createdAt} (${formatAge(b.createdAt, now)} ago)`,
    `Updated:     ${b.updatedAt}`,
  ];
  if (b.error) lines.push(`Error:       ${b.error}`);
  if (b.logTail && b.logTail.length > 0) lines.push('Log (last lines):', ...b.logTail.map((l) => `  ${l}`));
  return lines.join('\n');
}
