/**
 * What the views show of a pool, node or rollout: a state word and a tone (the colour family), always both,
 * so colour is never the only signal. The pool's words are MCO's conditions as `strata get pools` derives
 * them (bin/views/resources.ts), the rollout's are its status.
 */
import { formatAge } from '../../bin/views/age.ts';
import type { TableSpec } from '../../bin/views/columns.ts';
import { POOLS } from '../../bin/views/resources.ts';
import { allowedActions, isTerminal, type RolloutAction } from '../../functions/core/rollout/lifecycle.ts';
import type { NodeView, PoolView, RolloutStatus } from './types.ts';

export { allowedActions, formatAge, isTerminal, type RolloutAction };

/** Every cell of one item as the CLI's table (wide view) shows it, keyed by column header. */
export function cells<T>(spec: TableSpec<T>, item: T, now: Date): Record<string, string> {
  return Object.fromEntries(spec.columns.map((c) => [c.header, c.cell(item, now)]));
}

/** Colour families: done, moving, failed, held by someone, nothing to say. */
export type Tone = 'ok' | 'active' | 'bad' | 'held' | 'neutral';

/** A state word with its tone. */
export interface StateLabel {
  label: string;
  tone: Tone;
}

/** A pool's state, from MCO's conditions and Strata's holds. */
export function poolState(pool: PoolView, now: Date): StateLabel {
  const row = cells(POOLS, pool, now);
  if (row.DEGRADED === 'True' || (pool.status?.degradedMachineCount ?? 0) > 0) {
    return { label: 'Degraded', tone: 'bad' };
  }
  // An operator's pause of the pool shows whether or not the pool has work: it holds whatever comes next.
  if (pool.paused) return { label: 'Pool paused', tone: 'held' };
  if (row.UPDATED === 'True') return { label: 'Updated', tone: 'ok' };
  if (pool.holds.includes('halted')) return { label: 'Halted', tone: 'bad' };
  if (pool.holds.includes('paused')) return { label: 'Paused', tone: 'held' };
  if (pool.holds.includes('window-closed')) return { label: 'Window closed', tone: 'held' };
  if (row.UPDATING === 'True') return { label: 'Updating', tone: 'active' };
  return { label: 'Unknown', tone: 'neutral' };
}

/** The tone of a rollout status. */
export function rolloutTone(status: RolloutStatus): Tone {
  switch (status) {
    case 'Completed':
      return 'ok';
    case 'Halted':
      return 'bad';
    case 'Paused':
      return 'held';
    case 'Pending':
    case 'Progressing':
    case 'Soaking':
    case 'RollingBack':
      return 'active';
    default:
      return 'neutral';
  }
}

/** A node's state: the daemon's word, or Kubernetes' when the node is not ready or cordoned. */
export function nodeState(node: NodeView): StateLabel {
  if (node.state === 'Degraded' || node.state === 'Unreconcilable') return { label: node.state, tone: 'bad' };
  if (!node.ready) return { label: 'NotReady', tone: 'bad' };
  if (node.state === 'Working') return { label: 'Working', tone: 'active' };
  if (node.unschedulable) return { label: 'Cordoned', tone: 'held' };
  if (node.desiredConfig && node.currentConfig !== node.desiredConfig)
    return { label: 'Pending', tone: 'active' };
  if (node.state === 'Done') return { label: 'Done', tone: 'ok' };
  return { label: node.state ?? 'Unknown', tone: 'neutral' };
}

/** `rendered-worker-bec48280bcef…` → `rendered-worker-bec48280`: enough to tell configs apart at a glance. */
export function shortConfig(config: string | null | undefined): string {
  if (!config) return '—';
  return config.replace(/^(rendered-.+-)([0-9a-f]{8})[0-9a-f]{24}$/, '$1$2');
}

/** `host/repo@sha256:5d979b3f2f4a…` → `repo@sha256:5d979b3f2f4a`. */
export function shortImage(image: string | null | undefined): string {
  if (!image) return '—';
  const at = image.indexOf('@');
  const name = at < 0 ? image : image.slice(0, at);
  const digest = at < 0 ? '' : image.slice(at + 1, at + 1 + 'sha256:'.length + 12);
  const repo = name.split('/').slice(1).join('/') || name;
  return digest ? `${repo}@${digest}` : repo;
}

/** A time as a local clock time (and the date when not today). */
export function clock(iso: string | null | undefined, now: Date = new Date()): string {
  if (!iso) return '—';
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) return iso;
  const time = t.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  return t.toDateString() === now.toDateString() ? time : `${t.toLocaleDateString()} ${time}`;
}
