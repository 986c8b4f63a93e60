/**
 * Node observations: `CLUSTER#<id>` / `NODE#<name>` (docs/store.md), a cache of what the cluster last
 * reported (for `strata get nodes` and timelines). Never a source of truth for decisions: reconciles re-read
 * the cluster. Writes are conditional on the observation time so a reordered event cannot move it back.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { isConditionFailed, type StoreContext } from './context.ts';
import { queryAll } from './query.ts';
import { withoutKeys } from './versioned.ts';

/** What was last seen of a node. */
export interface NodeObservation {
  clusterId: string;
  name: string;
  pool: string | null;
  currentConfig: string | null;
  desiredConfig: string | null;
  currentImage: string | null;
  desiredImage: string | null;
  state: string | null;
  reason: string | null;
  unschedulable: boolean;
  ready: boolean;
  observedAt: string;
}

/** Records an observation unless a newer one is stored. @returns whether it was written. */
export async function recordNode(store: StoreContext, n: NodeObservation): Promise<boolean> {
  try {
    await store.doc.send(
      new PutCommand({
        TableName: store.tableName,
        Item: { pk: `CLUSTER#${n.clusterId}`, sk: `NODE#${n.name}`, type: 'Node', version: 1, ...n },
        ConditionExpression: 'attribute_not_exists(pk) OR observedAt < :t',
        ExpressionAttributeValues: { ':t': n.observedAt },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailed(error)) return false;
    throw error;
  }
}

/** The observed nodes of a cluster, by name. */
export async function listNodes(store: StoreContext, clusterId: string): Promise<NodeObservation[]> {
  const items = await queryAll(store, { partition: `CLUSTER#${clusterId}`, sortPrefix: 'NODE#' });
  return items.map((item) => {
    const { version: _v, ...rest } = withoutKeys<NodeObservation & { version: number }>(item);
    return rest;
  });
}
