/**
 * fauxqs's own SQLite persistence, on a server that listens on loopback only. fauxqs persists queues and
 * messages (ready, delayed, in flight, receive counts, through redrive to the dead-letter queue), writing
 * every change through before it answers, but offers it only through `startFauxqs`, which binds every
 * interface. This module assembles the same parts `startFauxqs` does (its stores, loaded from and wired to
 * its PersistenceManager) for `buildApp`, which takes stores, so that the server can listen on 127.0.0.1.
 * The parts are not in fauxqs's package exports: they are loaded from its `dist/` next to the entry point
 * (fauxqs is pinned; test/local/embedded-sqs.test.ts restarts a server on its data and fails if they move).
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { buildApp } from 'fauxqs';

type Stores = NonNullable<NonNullable<Parameters<typeof buildApp>[0]>['stores']>;

/** What is used of a fauxqs queue: its in-flight messages. */
interface FauxqsQueue {
  inflightMessages: Map<string, { visibilityDeadline: number }>;
  processTimers(): void;
}

interface PersistenceManager {
  db: { exec(sql: string): void };
  loadSqsAndSns(sqs: unknown, sns: unknown): void;
  close(): void;
}

/** Persistent stores for `buildApp`, and what to call when the server closes. */
export interface PersistentStores {
  stores: Stores;
  /** Messages that were in flight when the last run ended (its consumers are gone). */
  released: number;
  close(): void;
}

async function part<T>(path: string): Promise<T> {
  return (await import(new URL(path, import.meta.resolve('fauxqs')).href)) as T;
}

/**
 * Loads (or creates) the queues kept in `dir/fauxqs.db` and returns stores that write every change there.
 * Messages that were in flight when the last run ended are made visible again at once: the consumers that
 * held them were in that run, and waiting out their visibility timeout would only delay the work.
 */
export async function loadPersistentStores(dir: string): Promise<PersistentStores> {
  const [{ SqsStore }, { SnsStore }, { S3Store }, { PersistenceManager }] = await Promise.all([
    part<{ SqsStore: new () => Stores['sqsStore'] }>('./sqs/sqsStore.js'),
    part<{ SnsStore: new () => Stores['snsStore'] }>('./sns/snsStore.js'),
    part<{ S3Store: new () => Stores['s3Store'] }>('./s3/s3Store.js'),
    part<{ PersistenceManager: new (dir: string) => PersistenceManager }>('./persistence.js'),
  ]);
  const path = resolve(dir);
  mkdirSync(path, { recursive: true, mode: 0o700 });
  const persistence = new PersistenceManager(path);
  // Durable against a crash of this process (every change is in the WAL before SQS answers), like the
  // table's LevelDB; not fsync'd per message, so a power loss may cost the last changes.
  persistence.db.exec('PRAGMA synchronous = NORMAL');
  const sqsStore = new SqsStore();
  const snsStore = new SnsStore();
  const s3Store = new S3Store();
  // As startFauxqs: load first, then wire the persistence in (so loading does not write everything back).
  persistence.loadSqsAndSns(sqsStore, snsStore);
  const sqs = sqsStore as unknown as { persistence: unknown; allQueues(): Iterable<FauxqsQueue> };
  (snsStore as unknown as { persistence: unknown }).persistence = persistence;
  sqs.persistence = persistence;
  let released = 0;
  for (const queue of sqs.allQueues()) {
    (queue as unknown as { persistence: unknown }).persistence = persistence;
    for (const entry of queue.inflightMessages.values()) {
      entry.visibilityDeadline = 0;
      released++;
    }
    queue.processTimers();
  }
  return { stores: { sqsStore, snsStore, s3Store }, released, close: () => persistence.close() };
}
