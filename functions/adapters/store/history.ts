/**
 * Node history items: `CLUSTER#<id>` / `HISTORY#<node>` (docs/store.md), one per node: its last observed
 * facts and its update attempts (core/history), bounded per node and deleted by DynamoDB TTL some time
 * after the node's last change. Written conditional on `version` (creates: absent), so two observations of
 * one node processed at once cannot both win; the loser re-reads and derives again.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { HISTORY_TTL_SECONDS, type NodeHistoryRecord } from '../../core/history/index.ts';
import { retryOnConflict, VersionConflictError } from '../../core/retry.ts';
import type { NodeHistoryStore } from '../../core/stores.ts';
import type { StoreContext } from './context.ts';
import { putIfAbsent, putIfVersion, withoutKeys } from './versioned.ts';

function historyKey(clusterId: string, node: string): { pk: string; sk: string } {
  return { pk: `CLUSTER#${clusterId}`, sk: `HISTORY#${node}` };
}

/** A node's history (strongly consistent), or null. */
export async function getNodeHistory(
  store: StoreContext,
  clusterId: string,
  node: string,
): Promise<NodeHistoryRecord | null> {
  const out = await store.doc.send(
    new GetCommand({ TableName: store.tableName, Key: historyKey(clusterId, node), ConsistentRead: true }),
  );
  if (!out.Item) return null;
  const { ttl: _ttl, ...record } = withoutKeys<NodeHistoryRecord & { ttl: number }>(out.Item);
  return record;
}

/** Read-change-write of a node's history under optimistic concurrency (core/retry.ts). */
export function updateNodeHistory(
  store: StoreContext,
  clusterId: string,
  node: string,
  change: (current: NodeHistoryRecord | null) => NodeHistoryRecord | null,
): Promise<NodeHistoryRecord | null> {
  return retryOnConflict(`node history ${clusterId}/${node}`, async () => {
    const current = await getNodeHistory(store, clusterId, node);
    const next = change(current);
    if (!next) return null;
    const ttl = Math.floor(Date.parse(next.observedAt) / 1000) + HISTORY_TTL_SECONDS;
    const item = { ...historyKey(clusterId, node), type: 'NodeHistory', ...next, ttl };
    if (current) {
      await putIfVersion(store, item, current.version, `node history ${clusterId}/${node}`);
      return { ...next, version: current.version + 1 };
    }
    if (!(await putIfAbsent(store, { ...item, version: 1 }))) {
      throw new VersionConflictError(`node history ${clusterId}/${node}: created by another writer`);
    }
    return { ...next, version: 1 };
  });
}

/** The node history port (core/stores.ts) on one table. */
export function nodeHistoryStore(store: StoreContext): NodeHistoryStore {
  return {
    getNodeHistory: (clusterId, node) => getNodeHistory(store, clusterId, node),
    updateNodeHistory: (clusterId, node, change) => updateNodeHistory(store, clusterId, node, change),
  };
}
