/**
 * What the control plane asks of the services it is billed for, counted where the requests leave the
 * process: DynamoDB requests and capacity units (an instrumented document client), Kubernetes API requests,
 * response bytes and new connections (undici's diagnostics channels, which the Kubernetes client's fetch
 * publishes on). Watch requests (the relays') are counted apart: in a deployment the relay runs in the
 * cluster, not in the control plane.
 */
import { subscribe } from 'node:diagnostics_channel';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** DynamoDB requests and units since the last reset. */
export interface DynamoUsage {
  reads: number;
  writes: number;
  /** Read request units (consistent reads 1 per 4 KB, eventually consistent queries half). */
  rru: number;
  /** Write request units (1 per KB; a refused conditional write is charged too). */
  wru: number;
  /** Conditional writes refused (version conflicts). */
  refused: number;
  requests: Record<string, number>;
}

/** A fresh DynamoDB meter. */
export function dynamoUsage(): DynamoUsage {
  return { reads: 0, writes: 0, rru: 0, wru: 0, refused: 0, requests: {} };
}

/** Zeroes a meter in place. */
export function resetDynamo(usage: DynamoUsage): void {
  Object.assign(usage, dynamoUsage());
}

/**
 * Wraps a document client so that every request is counted into `usage`. GetItem and writes report their
 * consumed capacity (dynalite computes it from the item size); queries are charged from the size of what
 * they return (4 KB per read unit).
 */
export function meteredDoc(doc: DynamoDBDocumentClient, usage: DynamoUsage): DynamoDBDocumentClient {
  return new Proxy(doc, {
    get(target, prop, receiver) {
      if (prop !== 'send') return Reflect.get(target, prop, receiver);
      return async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
        const name = command.constructor.name;
        usage.requests[name] = (usage.requests[name] ?? 0) + 1;
        const isWrite = name === 'PutCommand' || name === 'UpdateCommand' || name === 'DeleteCommand';
        if (isWrite) usage.writes++;
        else usage.reads++;
        if (name === 'GetCommand' || isWrite) command.input.ReturnConsumedCapacity = 'TOTAL';
        try {
          const out = (await target.send(command as never)) as {
            ConsumedCapacity?: { CapacityUnits?: number };
            Items?: unknown[];
          };
          if (name === 'QueryCommand') {
            const bytes = Buffer.byteLength(JSON.stringify(out.Items ?? []));
            const units = Math.max(1, Math.ceil(bytes / 4096));
            usage.rru += command.input.ConsistentRead ? units : units / 2;
          } else if (isWrite) usage.wru += out.ConsumedCapacity?.CapacityUnits ?? 1;
          else usage.rru += out.ConsumedCapacity?.CapacityUnits ?? 1;
          return out;
        } catch (error) {
          // A refused conditional write is still charged for the item it would have written.
          if (isWrite) {
            usage.refused++;
            usage.wru += Math.ceil(Buffer.byteLength(JSON.stringify(command.input.Item ?? {})) / 1024);
          }
          throw error;
        }
      };
    },
  }) as DynamoDBDocumentClient;
}

/** Kubernetes API traffic since the last reset. */
export interface KubeUsage {
  /** Requests other than watches (the control plane's). */
  requests: number;
  /** Response body bytes of those requests. */
  bytes: number;
  /** Of `requests`: node LISTs (GET …/nodes without a name). */
  nodeLists: number;
  /** New connections (each a TLS handshake to a cluster). */
  connections: number;
  /** Watch requests and their bytes (the relays'). */
  watches: number;
  watchBytes: number;
}

/** Starts counting Kubernetes traffic of this process; the returned meter can be reset. */
export function kubeUsage(): { usage: KubeUsage; reset(): void } {
  const usage: KubeUsage = {
    requests: 0,
    bytes: 0,
    nodeLists: 0,
    connections: 0,
    watches: 0,
    watchBytes: 0,
  };
  const watching = new WeakSet<object>();
  subscribe('undici:request:create', (message) => {
    const { request } = message as { request: { path: string; method: string } };
    if (/[?&]watch=(true|1)/.test(request.path)) {
      watching.add(request);
      usage.watches++;
      return;
    }
    usage.requests++;
    if (request.method === 'GET' && /\/api\/v1\/nodes(\?|$)/.test(request.path)) usage.nodeLists++;
  });
  subscribe('undici:request:bodyChunkReceived', (message) => {
    const { request, chunk } = message as { request: object; chunk: Uint8Array };
    if (watching.has(request)) usage.watchBytes += chunk.byteLength;
    else usage.bytes += chunk.byteLength;
  });
  subscribe('undici:client:connected', () => {
    usage.connections++;
  });
  return {
    usage,
    reset() {
      Object.assign(usage, {
        requests: 0,
        bytes: 0,
        nodeLists: 0,
        connections: 0,
        watches: 0,
        watchBytes: 0,
      });
    },
  };
}

/** Handler invocations by handler name: how many, and their wall time in ms. */
export type Invocations = Record<string, { count: number; ms: number }>;

/** A harness `instrumentHandler` that counts each handler's invocations and their time into `invocations`. */
export function timedHandlers(
  invocations: Invocations,
): <T>(name: string, run: () => Promise<T>) => Promise<T> {
  return async (name, run) => {
    const t = performance.now();
    try {
      return await run();
    } finally {
      const slot = invocations[name] ?? { count: 0, ms: 0 };
      invocations[name] = slot;
      slot.count++;
      slot.ms += performance.now() - t;
    }
  };
}
