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

/** A document client (plain JS values in and out; `undefined` attributes dropped). */
export function createDocumentClient(config: DynamoDBClientConfig = {}): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(new DynamoDBClient(config), {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
}
