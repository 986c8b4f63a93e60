/**
 * Replay protection of a delivery: each delivery id among its pushes is claimed once (a delivery may carry
 * several pushes of one event); pushes whose id was claimed before are replays. Pushes without an id
 * cannot be told apart and always pass.
 */
import type { ImagePushed } from '../../core/messages.ts';
import type { DeliveryClaims } from '../../core/stores.ts';

/** The pushes to enqueue, how many were replays, and how to give the claims back if enqueueing fails. */
export async function claimPushes(
  claims: DeliveryClaims,
  pushes: ImagePushed[],
  ttlSeconds: number,
): Promise<{ fresh: ImagePushed[]; replayed: number; release(): Promise<void> }> {
  const claimed: { source: string; id: string }[] = [];
  const seen = new Map<string, boolean>();
  const fresh: ImagePushed[] = [];
  for (const push of pushes) {
    const id = push.eventId;
    if (id !== null && !seen.has(id)) {
      const ok = await claims.claim(push.source, id, ttlSeconds);
      seen.set(id, ok);
      if (ok) claimed.push({ source: push.source, id });
    }
    if (id === null || seen.get(id)) fresh.push(push);
  }
  return {
    fresh,
    replayed: pushes.length - fresh.length,
    release: async () => {
      await Promise.allSettled(claimed.map((c) => claims.release(c.source, c.id)));
    },
  };
}
