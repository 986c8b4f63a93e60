/**
 * Rendered config references: `CLUSTER#<id>` / `RENDERED#<name>` (docs/store.md). The name is
 * `rendered-<pool>-<hash>` (deterministic), so recording one twice is a no-op. The MachineConfig body
 * itself lives in the cluster (it can exceed an item's 400 KB); the item records what it was rendered from.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { RenderedConfigRef, RenderedLog } from '../../core/stores.ts';
import type { StoreContext } from './context.ts';
import { putIfAbsent, withoutKeys } from './versioned.ts';

/** Records a rendered config. @returns whether it was new. */
export function recordRendered(store: StoreContext, r: RenderedConfigRef): Promise<boolean> {
  return putIfAbsent(store, {
    pk: `CLUSTER#${r.clusterId}`,
    sk: `RENDERED#${r.name}`,
    type: 'RenderedConfig',
    version: 1,
    ...r,
  });
}

/** Reads a rendered config reference, or null. */
export async function getRendered(
  store: StoreContext,
  clusterId: string,
  name: string,
): Promise<RenderedConfigRef | null> {
  const out = await store.doc.send(
    new GetCommand({
      TableName: store.tableName,
      Key: { pk: `CLUSTER#${clusterId}`, sk: `RENDERED#${name}` },
    }),
  );
  if (!out.Item) return null;
  const { version: _v, ...rest } = withoutKeys<RenderedConfigRef & { version: number }>(out.Item);
  return rest;
}

/** The rendered-config log port (core/stores.ts) on one table. */
export function renderedLog(store: StoreContext): RenderedLog {
  return { recordRendered: (ref) => recordRendered(store, ref) };
}
