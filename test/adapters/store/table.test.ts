import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestTable, type TestTable } from '../../support/dynalite.ts';

describe('the Strata table on dynalite', () => {
  let table: TestTable;
  beforeAll(async () => {
    table = await startTestTable();
  });
  afterAll(async () => table.close());

  it('refuses a second create of one key (the basis of every idempotent start)', async () => {
    // Prepare
    const item = { pk: 'TRACK#prod', sk: 'META', type: 'Track', version: 1 };
    const create = () =>
      table.doc.send(
        new PutCommand({
          TableName: table.tableName,
          Item: item,
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    // Act
    await create();
    // Assess
    await expect(create()).rejects.toMatchObject({ name: 'ConditionalCheckFailedException' });
    const stored = await table.doc.send(
      new GetCommand({ TableName: table.tableName, Key: { pk: 'TRACK#prod', sk: 'META' } }),
    );
    expect(stored.Item).toEqual(item);
  });
});
