/**
 * The Strata table on dynalite, in this process on an ephemeral loopback port: in memory by default, or in
 * a LevelDB directory (`dataDir`) so a restart keeps every item. The table is created if missing.
 */
import { mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  type DynamoDBClientConfig,
} from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import dynalite from 'dynalite';
import { createDocumentClient, tableDefinition } from '../functions/adapters/store/table.ts';
import { localCredentials } from './local-aws.ts';

/** Options of `startLocalTable`. */
export interface LocalTableOptions {
  tableName: string;
  /** Directory that keeps the table across restarts; in memory when absent. Created if missing. */
  dataDir?: string;
  /** Loopback port; 0 (default) picks a free one. */
  port?: number;
  region?: string;
}

/** A running dynalite with the Strata table. */
export interface LocalTable {
  endpoint: string;
  tableName: string;
  /** Client configuration that reaches this dynalite. */
  clientConfig: DynamoDBClientConfig;
  /** A document client on this table (destroyed by `stop`). */
  doc: DynamoDBDocumentClient;
  /** True when the table already existed (kept from an earlier run in `dataDir`). */
  reused: boolean;
  /** Closes the client and the server (dynalite closes its LevelDB with it). */
  stop(): Promise<void>;
}

/** Starts dynalite on 127.0.0.1 and makes sure the table exists. */
export async function startLocalTable(options: LocalTableOptions): Promise<LocalTable> {
  const path = options.dataDir === undefined ? undefined : resolve(options.dataDir, 'dynamodb');
  if (path) await mkdir(path, { recursive: true });
  const server = dynalite({ path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(options.port ?? 0, '127.0.0.1', () => ok());
  });
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clientConfig: DynamoDBClientConfig = {
    endpoint,
    region: options.region ?? 'us-east-1',
    credentials: localCredentials,
  };
  const close = () => new Promise<void>((ok) => server.close(() => ok()));
  const admin = new DynamoDBClient(clientConfig);
  let reused: boolean;
  try {
    reused = await ensureTable(admin, options.tableName);
  } catch (error) {
    admin.destroy();
    await close();
    throw error;
  }
  admin.destroy();
  const doc = createDocumentClient(clientConfig);
  return {
    endpoint,
    tableName: options.tableName,
    clientConfig,
    doc,
    reused,
    async stop() {
      doc.destroy();
      await close();
    },
  };
}

/** Creates the table unless it exists; true when it existed. */
async function ensureTable(client: DynamoDBClient, tableName: string): Promise<boolean> {
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
    return true;
  } catch (error) {
    if ((error as { name?: string }).name !== 'ResourceNotFoundException') throw error;
  }
  await client.send(new CreateTableCommand(tableDefinition(tableName)));
  return false;
}
