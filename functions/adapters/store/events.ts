/**
 * Audit events: `ROLLOUT#<id>` / `EVENT#<time>#<seq>` (docs/store.md). Append-only, one put each; a
 * random suffix keeps two writers at one millisecond apart. Kept 90 days (TTL).
 */
import { randomBytes } from 'node:crypto';
import type { AuditEvent, AuditLog } from '../../core/stores.ts';
import type { StoreContext } from './context.ts';
import { queryAll } from './query.ts';
import { putIfAbsent, withoutKeys } from './versioned.ts';

const RETENTION_SECONDS = 90 * 24 * 3600;

/** Appends an event. */
export async function appendEvent(store: StoreContext, event: AuditEvent): Promise<void> {
  await putIfAbsent(store, {
    pk: `ROLLOUT#${event.rolloutId}`,
    sk: `EVENT#${event.time}#${randomBytes(4).toString('hex')}`,
    type: 'Event',
    ttl: Math.floor(Date.parse(event.time) / 1000) + RETENTION_SECONDS,
    ...event,
  });
}

/** A rollout's events, oldest first. */
export async function listEvents(store: StoreContext, rolloutId: string): Promise<AuditEvent[]> {
  const items = await queryAll(store, { partition: `ROLLOUT#${rolloutId}`, sortPrefix: 'EVENT#' });
  return items.map((i) => {
    const { ttl: _ttl, ...rest } = withoutKeys<AuditEvent & { ttl: number }>(i);
    return rest;
  });
}

/** The audit log port (core/stores.ts) on one table. */
export function auditLog(store: StoreContext): AuditLog {
  return { appendEvent: (event) => appendEvent(store, event), listEvents: (id) => listEvents(store, id) };
}
