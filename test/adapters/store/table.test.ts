import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoreLimitError } from '../../../functions/core/limits.ts';
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

  it('answers an item over 400 KB and keys over 2,048/1,024 bytes with StoreLimitError, and stores nothing', async () => {
    // Prepare
    const put = (Item: Record<string, unknown>) =>
      table.doc.send(new PutCommand({ TableName: table.tableName, Item }));
    const big = { pk: 'TRACK#big', sk: 'META', blob: 'x'.repeat(401 * 1024) };
    // Act / Assess
    await expect(put(big)).rejects.toMatchObject({ name: 'StoreLimitError', limit: 'item-size' });
    await expect(put({ pk: `CLUSTER#${'c'.repeat(3000)}`, sk: 'META' })).rejects.toBeInstanceOf(
      StoreLimitError,
    );
    await expect(put({ pk: 'ROLLOUT#r', sk: `EVENT#${'e'.repeat(1100)}` })).rejects.toMatchObject({
      limit: 'key-size',
    });
    const stored = await table.doc.send(
      new GetCommand({ TableName: table.tableName, Key: { pk: 'TRACK#big', sk: 'META' } }),
    );
    expect(stored.Item).toBeUndefined();
  });
});
