/**
 * Cluster health items: `CLUSTER#<id>` / `HEALTH` (docs/store.md), listed through gsi2 `HEALTH`. What the
 * last probe of the cluster's API found (core/cluster-health.ts). Written conditional on `checkedAt` so an
 * older probe never replaces a newer one; `ttl` 7 days after the check so a removed cluster's goes.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { ClusterHealth } from '../../core/cluster-health.ts';
import type { ClusterHealthStore } from '../../core/stores.ts';
import { isConditionFailed, type StoreContext } from './context.ts';
import { queryAll } from './query.ts';
import { withoutKeys } from './versioned.ts';

const TTL_SECONDS = 7 * 24 * 3600;

/** Records a probe's outcome unless a newer one is stored. */
export async function recordHealth(store: StoreContext, h: ClusterHealth): Promise<void> {
  try {
    await store.doc.send(
      new PutCommand({
        TableName: store.tableName,
        Item: {
          pk: `CLUSTER#${h.clusterId}`,
          sk: 'HEALTH',
          type: 'ClusterHealth',
          gsi2pk: 'HEALTH',
          gsi2sk: h.clusterId,
          ...h,
          ttl: Math.floor(Date.parse(h.checkedAt) / 1000) + TTL_SECONDS,
        },
        ConditionExpression: 'attribute_not_exists(pk) OR checkedAt < :t',
        ExpressionAttributeValues: { ':t': h.checkedAt },
      }),
    );
  } catch (error) {
    if (!isConditionFailed(error)) throw error;
  }
}

/** Every cluster's recorded health (index gsi2). */
export async function listHealth(store: StoreContext): Promise<ClusterHealth[]> {
  return (await queryAll(store, { index: 'gsi2', partition: 'HEALTH' })).map((item) => {
    const { ttl: _ttl, ...h } = withoutKeys<ClusterHealth & { ttl: number }>(item);
    return h;
  });
}

/** The cluster health port (core/stores.ts) on one table. */
export function clusterHealthStore(store: StoreContext): ClusterHealthStore {
  return { recordHealth: (h) => recordHealth(store, h), listHealth: () => listHealth(store) };
}
