/**
 * The one DynamoDB table (keys in docs/store.md): its definition, used by the embedded runtime and tests
 * to create it (the CDK stack defines the same keys), and a document client for it.
 */
import {
  type CreateTableCommandInput,
  DynamoDBClient,
  type DynamoDBClientConfig,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { StoreLimitError } from '../../core/limits.ts';

/** Key attributes of the table and its two indexes. */
export const TableKeys = {
  partition: 'pk',
  sort: 'sk',
  gsi1: { name: 'gsi1', partition: 'gsi1pk', sort: 'gsi1sk' },
  gsi2: { name: 'gsi2', partition: 'gsi2pk', sort: 'gsi2sk' },
  ttl: 'ttl',
} as const;

/** CreateTable input for the Strata table (on-demand billing, both GSIs projecting everything). */
export function tableDefinition(tableName: string): CreateTableCommandInput {
  const index = (gsi: { name: string; partition: string; sort: string }) => ({
    IndexName: gsi.name,
    KeySchema: [
      { AttributeName: gsi.partition, KeyType: 'HASH' as const },
      { AttributeName: gsi.sort, KeyType: 'RANGE' as const },
    ],
    Projection: { ProjectionType: 'ALL' as const },
  });
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      TableKeys.partition,
      TableKeys.sort,
      ...Object.values(TableKeys.gsi1).slice(1),
      ...Object.values(TableKeys.gsi2).slice(1),
    ].map((name) => ({ AttributeName: name, AttributeType: 'S' as const })),
    KeySchema: [
      { AttributeName: TableKeys.partition, KeyType: 'HASH' },
      { AttributeName: TableKeys.sort, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: [index(TableKeys.gsi1), index(TableKeys.gsi2)],
  };
}

/**
 * DynamoDB's refusal of an item or key for its size as a {@link StoreLimitError}, or `null` for any other
 * error. DynamoDB answers these with a generic `ValidationException`; only the message tells them apart.
 */
export function storeLimitOf(error: unknown): StoreLimitError | null {
  const { name, message } = (error ?? {}) as { name?: string; message?: string };
  if (name !== 'ValidationException' || typeof message !== 'string') return null;
  if (/item size has exceeded/i.test(message)) {
    return new StoreLimitError('item-size', "the stored item would exceed DynamoDB's 400 KB item limit");
  }
  if (/size of (hash|range)key|range keys has exceeded|key.*exceed.*size limit/i.test(message)) {
    return new StoreLimitError(
      'key-size',
      "a key would exceed DynamoDB's key limit (2,048 bytes partition, 1,024 bytes sort)",
    );
  }
  return null;
}

/**
 * A document client (plain JS values in and out; `undefined` attributes dropped). Size refusals of the
 * table come out as {@link StoreLimitError}, so that callers can answer them as a request too large.
 */
export function createDocumentClient(config: DynamoDBClientConfig = {}): DynamoDBDocumentClient {
  const client = new DynamoDBClient(config);
  client.middlewareStack.add(
    (next) => async (args) => {
      try {
        return await next(args);
      } catch (error) {
        throw storeLimitOf(error) ?? error;
      }
    },
    { step: 'initialize', name: 'strataStoreLimits' },
  );
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
}
