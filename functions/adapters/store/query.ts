/** Reading one partition of the table or of an index, every page of it. */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { StoreContext } from './context.ts';
import { TableKeys } from './table.ts';

/** Which items to read: one partition key, optionally only sort keys with a prefix. */
export interface PartitionQuery {
  /** Read an index instead of the table (eventually consistent). */
  index?: 'gsi1' | 'gsi2';
  partition: string;
  sortPrefix?: string;
  /** Strongly consistent read (table only). */
  consistent?: boolean;
}

/** All items of a partition, following LastEvaluatedKey until the last page, in sort-key order. */
export async function queryAll(
  store: StoreContext,
  query: PartitionQuery,
): Promise<Record<string, unknown>[]> {
  const keys = query.index ? TableKeys[query.index] : TableKeys;
  const condition = query.sortPrefix === undefined ? '#p = :p' : '#p = :p AND begins_with(#s, :s)';
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await store.doc.send(
      new QueryCommand({
        TableName: store.tableName,
        ...(query.index ? { IndexName: query.index } : {}),
        KeyConditionExpression: condition,
        ExpressionAttributeNames: {
          '#p': keys.partition,
          ...(query.sortPrefix === undefined ? {} : { '#s': keys.sort }),
        },
        ExpressionAttributeValues: {
          ':p': query.partition,
          ...(query.sortPrefix === undefined ? {} : { ':s': query.sortPrefix }),
        },
        ...(query.consistent ? { ConsistentRead: true } : {}),
        ExclusiveStartKey: start,
      }),
    );
    items.push(...(out.Items ?? []));
    start = out.LastEvaluatedKey;
  } while (start !== undefined);
  return items;
}
