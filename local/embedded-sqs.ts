/**
 * An SQS-compatible server inside this process: fauxqs, on an ephemeral loopback port. It speaks the JSON
 * protocol `@aws-sdk/client-sqs` uses and implements visibility timeouts, per-message and per-queue delays,
 * long polling, batch calls and RedrivePolicy (maxReceiveCount → dead-letter queue) itself, so the pollers
 * need not emulate any of them. State is in memory, or with `dataDir` in fauxqs's SQLite file there: a
 * message SQS acknowledged (SendMessage answered) is on disk and survives a crash of the process, until it
 * is deleted (see docs/local-runtime.md). Only requests naming the server's own address in `Host` are
 * served: a web page that rebinds a name to 127.0.0.1 cannot reach the queues.
 */

import { join } from 'node:path';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  SetQueueAttributesCommand,
  SQSClient,
  type SQSClientConfig,
} from '@aws-sdk/client-sqs';
import { buildApp } from 'fauxqs';
import { RuntimeConfigError } from './errors.ts';
import { loadPersistentStores } from './fauxqs-persistence.ts';
import { localCredentials } from './local-aws.ts';

/** One work queue and how its dead-letter queue is attached (mirrors the CDK `WorkQueue`). */
export interface QueueDefinition {
  /** Queue name; its dead-letter queue is `<name>-dlq`. */
  name: string;
  /** Seconds a received message stays invisible before it can be received again. */
  visibilityTimeoutSeconds: number;
  /** Receives after which SQS moves a message to the dead-letter queue instead of delivering it. */
  maxReceiveCount: number;
  /** Default delay of every message sent to the queue (0 when absent). */
  delaySeconds?: number;
}

/** Where a queue lives: its URL (for SDK calls) and ARN (for event-source records and redrive). */
export interface QueueAddress {
  name: string;
  url: string;
  arn: string;
}

/** A created work queue with its dead-letter queue. */
export interface CreatedQueue extends QueueAddress {
  deadLetters: QueueAddress;
}

/** A running embedded SQS server. */
export interface EmbeddedSqs {
  /** `http://127.0.0.1:<port>`: the endpoint for SDK clients. */
  endpoint: string;
  region: string;
  /** Client configuration that reaches this server (endpoint, region, dummy credentials). */
  clientConfig: SQSClientConfig;
  /**
   * Creates each queue and its dead-letter queue; a queue kept in `dataDir` is kept (with its messages) and
   * given the definition's attributes.
   */
  createQueues<K extends string>(definitions: Record<K, QueueDefinition>): Promise<Record<K, CreatedQueue>>;
  /** Messages found in flight in `dataDir` at start (their consumers ended with the last run), made visible. */
  released: number;
  /** Closes the server: pending long polls end, connections are closed. */
  stop(): Promise<void>;
}

/** Options of `startEmbeddedSqs`. */
export interface EmbeddedSqsOptions {
  /** Loopback port; 0 (default) picks a free one. */
  port?: number;
  /** Region in queue ARNs. Default: us-east-1. */
  region?: string;
  /** Directory that keeps queues and messages across restarts (`<dataDir>/sqs`); in memory when absent. */
  dataDir?: string;
}

/** Starts the embedded SQS server on 127.0.0.1. */
export async function startEmbeddedSqs(options: EmbeddedSqsOptions = {}): Promise<EmbeddedSqs> {
  const region = options.region ?? 'us-east-1';
  const persistent = options.dataDir ? await loadPersistentStores(join(options.dataDir, 'sqs')) : null;
  // buildApp (not startFauxqs, which binds 0.0.0.0) so that the server listens on loopback only.
  const app = buildApp({
    logger: false,
    defaultRegion: region,
    ...(persistent ? { stores: persistent.stores } : {}),
  });
  if (persistent) app.addHook('onClose', async () => persistent.close());
  let ownHost = '';
  app.addHook('onRequest', async (request, reply) => {
    if (request.headers.host !== ownHost) {
      return reply.code(421).send({ message: `this SQS server answers to Host ${ownHost} only` });
    }
  });
  let endpoint: string;
  try {
    endpoint = await app.listen({ port: options.port ?? 0, host: '127.0.0.1' });
  } catch (error) {
    persistent?.close();
    throw error;
  }
  ownHost = new URL(endpoint).host;
  const clientConfig: SQSClientConfig = { endpoint, region, credentials: localCredentials };
  const admin = new SQSClient(clientConfig);

  const create = async (name: string, attributes: Record<string, string>): Promise<QueueAddress> => {
    let queueUrl: string | undefined;
    try {
      queueUrl = (await admin.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes })))
        .QueueUrl;
    } catch (error) {
      // Kept from an earlier run with other settings: the definition wins, as on a redeployed stack.
      if (!/QueueNameExists/.test((error as { name?: string }).name ?? '')) throw error;
      queueUrl = (await admin.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl;
      if (queueUrl)
        await admin.send(new SetQueueAttributesCommand({ QueueUrl: queueUrl, Attributes: attributes }));
    }
    if (!queueUrl) throw new Error(`embedded SQS returned no URL for queue ${name}`);
    // fauxqs names queues http://sqs.<region>.localhost:<port>/…, a host that need not resolve (and, for a
    // queue kept in dataDir, an earlier run's port); the same path on the endpoint addresses the same queue.
    const url = new URL(new URL(queueUrl).pathname, endpoint).toString();
    const attrs = await admin.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }),
    );
    const arn = attrs.Attributes?.QueueArn;
    if (!arn) throw new Error(`embedded SQS returned no ARN for queue ${name}`);
    return { name, url, arn };
  };

  return {
    endpoint,
    region,
    clientConfig,
    released: persistent?.released ?? 0,
    async createQueues<K extends string>(definitions: Record<K, QueueDefinition>) {
      const created = {} as Record<K, CreatedQueue>;
      for (const key of Object.keys(definitions) as K[]) {
        const def = definitions[key];
        validateDefinition(key, def);
        const deadLetters = await create(`${def.name}-dlq`, {
          MessageRetentionPeriod: String(14 * 24 * 3600),
        });
        const queue = await create(def.name, {
          VisibilityTimeout: String(def.visibilityTimeoutSeconds),
          DelaySeconds: String(def.delaySeconds ?? 0),
          RedrivePolicy: JSON.stringify({
            deadLetterTargetArn: deadLetters.arn,
            maxReceiveCount: def.maxReceiveCount,
          }),
        });
        created[key] = { ...queue, deadLetters };
      }
      return created;
    },
    async stop() {
      admin.destroy();
      await app.close();
    },
  };
}

function validateDefinition(key: string, def: QueueDefinition): void {
  const problem = (field: string, why: string) =>
    new RuntimeConfigError(`queue definition "${key}": ${field} ${why}`);
  if (!/^[A-Za-z0-9_-]{1,76}$/.test(def.name)) {
    throw problem('name', `"${def.name}" must be 1-76 letters, digits, "-" or "_" (room for "-dlq")`);
  }
  if (!Number.isInteger(def.visibilityTimeoutSeconds) || def.visibilityTimeoutSeconds < 0) {
    throw problem(
      'visibilityTimeoutSeconds',
      `must be a whole number ≥ 0, got ${def.visibilityTimeoutSeconds}`,
    );
  }
  if (!Number.isInteger(def.maxReceiveCount) || def.maxReceiveCount < 1 || def.maxReceiveCount > 1000) {
    throw problem('maxReceiveCount', `must be a whole number 1..1000, got ${def.maxReceiveCount}`);
  }
  const delay = def.delaySeconds ?? 0;
  if (!Number.isInteger(delay) || delay < 0 || delay > 900) {
    throw problem('delaySeconds', `must be a whole number 0..900, got ${delay}`);
  }
}
