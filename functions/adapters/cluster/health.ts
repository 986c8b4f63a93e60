/**
 * The fleet's health when clusters are listed: each cluster's recorded health, probed again (in parallel)
 * when older than HEALTH_FRESH_SECONDS, and the new outcome recorded. Listing stays quick and a watch
 * polling every 2 s probes each cluster at most every 10 s.
 */
import { type ClusterHealth, type ClusterProbe, isFresh, nextHealth } from '../../core/cluster-health.ts';
import type { ClusterRecord } from '../../core/clusters.ts';
import type { ClusterHealthStore } from '../../core/stores.ts';

/** Health per cluster id (clusters not probed and never recorded are absent). */
export async function fleetHealth(
  probe: ClusterProbe | undefined,
  store: ClusterHealthStore,
  clusters: ClusterRecord[],
  now: Date,
): Promise<Map<string, ClusterHealth>> {
  const recorded = new Map((await store.listHealth()).map((h) => [h.clusterId, h]));
  if (!probe) return recorded;
  await Promise.all(
    clusters.map(async (c) => {
      const previous = recorded.get(c.id) ?? null;
      if (isFresh(previous, now)) return;
      const health = nextHealth(previous, c.id, await probe.probe(c), new Date().toISOString());
      await store.recordHealth(health);
      recorded.set(c.id, health);
    }),
  );
  return recorded;
}
