/**
 * What every store module needs: the document client and the table name, and how DynamoDB says that a
 * conditional write lost (store modules turn that into core/retry.ts's VersionConflictError).
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** The table a store module reads and writes. */
export interface StoreContext {
  doc: DynamoDBDocumentClient;
  tableName: string;
}

/** True when DynamoDB refused a write because its condition did not hold. */
export function isConditionFailed(error: unknown): boolean {
  return (error as { name?: string } | null)?.name === 'ConditionalCheckFailedException';
}
