import { describe, expect, it } from 'vitest';
import { processSqsBatch } from '../../../functions/adapters/lambda/sqs-batch.ts';
import { lambdaContext, sqsEvent } from '../../support/events.ts';

describe('processSqsBatch', () => {
  it('hands each record its parsed body, and reports only the records that failed', async () => {
    // Prepare
    const seen: unknown[] = [];
    const event = sqsEvent(['{"key":"a"}', 'not json', '{"key":"fail"}', '[1,2]']);
    // Act
    const response = await processSqsBatch(event, lambdaContext, async (body) => {
      seen.push(body);
      if ((body as { key?: string }).key === 'fail') throw new Error('cluster unreachable');
      return 'ok';
    });
    // Assess
    expect(seen).toEqual([{ key: 'a' }, 'not json', { key: 'fail' }, [1, 2]]);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm-2' }]);
  });

  it('reports every record when all of them fail (the batch comes back whole)', async () => {
    const response = await processSqsBatch(sqsEvent(['1', '2']), lambdaContext, async () => {
      throw new Error('table unavailable');
    });
    expect(response.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(['m-0', 'm-1']);
  });
});
