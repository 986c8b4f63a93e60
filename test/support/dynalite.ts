/**
 * A real DynamoDB API for tests: dynalite in memory on an ephemeral loopback port, with the Strata table
 * created. No mocks: conditional writes, update expressions and GSIs behave as DynamoDB's do.
 */
import type { AddressInfo } from 'node:net';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import dynalite from 'dynalite';
import { createDocumentClient, tableDefinition } from '../../functions/adapters/store/table.ts';

export interface TestTable {
  doc: DynamoDBDocumentClient;
  tableName: string;
  endpoint: string;
  close(): Promise<void>;
}

/** Starts dynalite and creates the table `strata-test`. Call `close()` in `afterAll`. */
export async function startTestTable(tableName = 'strata-test'): Promise<TestTable> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const doc = createDocumentClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  await doc.send(new CreateTableCommand(tableDefinition(tableName)));
  return {
    doc,
    tableName,
    endpoint,
    close: async () => {
      doc.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
