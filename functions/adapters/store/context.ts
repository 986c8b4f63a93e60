/**
 * What every store module needs: the document client and the table name, plus the error a lost
 * optimistic-concurrency race raises.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** The table a store module reads and writes. */
export interface StoreContext {
  doc: DynamoDBDocumentClient;
  tableName: string;
}

/** A conditional write lost: the item changed (or appeared) since it was read. Re-read and decide again. */
export class VersionConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VersionConflictError';
  }
}

/** True when DynamoDB refused a write because its condition did not hold. */
export function isConditionFailed(error: unknown): boolean {
  return (error as { name?: string } | null)?.name === 'ConditionalCheckFailedException';
}
