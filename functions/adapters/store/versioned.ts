/** The two writes every store module uses: create-if-absent and replace-if-version (single-item, conditional). */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { VersionConflictError } from '../../core/retry.ts';
import { isConditionFailed, type StoreContext } from './context.ts';

/** Puts `item` unless its key exists. @returns whether this call created it. */
export async function putIfAbsent(store: StoreContext, item: Record<string, unknown>): Promise<boolean> {
  try {
    await store.doc.send(
      new PutCommand({
        TableName: store.tableName,
        Item: item,
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailed(error)) return false;
    throw error;
  }
}

/**
 * Replaces `item` if the stored one is at `expectedVersion`; writes version + 1.
 * @throws VersionConflictError when another writer got there first (re-read and decide again).
 */
export async function putIfVersion(
  store: StoreContext,
  item: Record<string, unknown>,
  expectedVersion: number,
  what: string,
): Promise<void> {
  try {
    await store.doc.send(
      new PutCommand({
        TableName: store.tableName,
        Item: { ...item, version: expectedVersion + 1 },
        ConditionExpression: '#v = :v',
        ExpressionAttributeNames: { '#v': 'version' },
        ExpressionAttributeValues: { ':v': expectedVersion },
      }),
    );
  } catch (error) {
    if (isConditionFailed(error)) {
      throw new VersionConflictError(`${what}: version ${expectedVersion} is no longer current`);
    }
    throw error;
  }
}

/** Strips the table's key and index attributes from an item. */
export function withoutKeys<T>(item: Record<string, unknown>): T {
  const { pk: _a, sk: _b, type: _c, gsi1pk: _d, gsi1sk: _e, gsi2pk: _f, gsi2sk: _g, ...rest } = item;
  return rest as T;
}
