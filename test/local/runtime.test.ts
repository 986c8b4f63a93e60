import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import type { PlanRolloutMessage, ReconcilePoolMessage } from '../../functions/core/ports.ts';
import { RuntimeConfigError } from '../../local/errors.ts';
import { type Runtime, type RuntimeContext, startRuntime } from '../../local/runtime.ts';
import { eventually, queueCounts, receiveAll } from './helpers.ts';

const started: Runtime[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((r) => r.stop()));
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function start(options: Parameters<typeof startRuntime>[0]): Promise<Runtime> {
  const runtime = await startRuntime({ waitTimeSeconds: 1, ...options });
  started.push(runtime);
  return runtime;
}

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'strata-runtime-'));
  dirs.push(dir);
  return dir;
}

/** Handles that keep a process alive: servers, sockets and timers, by type. */
function liveHandles(): { tcp: number; timers: number } {
  const kinds = process.getActiveResourcesInfo();
  return {
    tcp: kinds.filter((k) => k.startsWith('TCP')).length,
    timers: kinds.filter((k) => k === 'Timeout').length,
  };
}

/** True once no more servers, sockets or timers are open than before (the test runner has its own timers). */
function backTo(before: { tcp: number; timers: number }): boolean {
  const now = liveHandles();
  return now.tcp === before.tcp && now.timers <= before.timers;
}

describe('embedded runtime', () => {
  it('runs queue consumers built from its clients: table writes, queue sends, partial failures (Powertools)', async () => {
    const reconciled: ReconcilePoolMessage[] = [];
    const planAttempts: Record<string, number> = {};
    const handlers = (ctx: RuntimeContext) => {
      const processor = new BatchProcessor(EventType.SQS);
      const planRecord = async (record: SQSRecord) => {
        const { rolloutId } = JSON.parse(record.body) as PlanRolloutMessage;
        planAttempts[rolloutId] = (planAttempts[rolloutId] ?? 0) + 1;
        if (rolloutId === 'flaky' && planAttempts[rolloutId] === 1) throw new Error('first attempt fails');
        await ctx.doc.send(
          new PutCommand({ TableName: ctx.tableName, Item: { pk: `ROLLOUT#${rolloutId}`, sk: 'PLAN' } }),
        );
        await ctx.queues.reconcile.send({ clusterId: `c-${rolloutId}`, pool: 'worker' });
      };
      return {
        'plan-rollout': (event: SQSEvent, context: Context) =>
          processPartialResponse(event, planRecord, processor, { context }),
        'pool-reconcile': async (event: SQSEvent) => {
          for (const r of event.Records) reconciled.push(JSON.parse(r.body) as ReconcilePoolMessage);
        },
      };
    };
    const runtime = await start({ handlers, queueOverrides: { plan: { visibilityTimeoutSeconds: 1 } } });
    const { queues, doc, tableName } = runtime.context;

    await queues.plan.sendBatch([{ rolloutId: 'steady' }, { rolloutId: 'flaky' }]);

    await eventually('both pools reconciled', () => reconciled.length === 2);
    expect(reconciled.map((m) => m.clusterId).sort()).toEqual(['c-flaky', 'c-steady']);
    expect(planAttempts).toEqual({ steady: 1, flaky: 2 });
    for (const id of ['steady', 'flaky']) {
      const item = await doc.send(
        new GetCommand({ TableName: tableName, Key: { pk: `ROLLOUT#${id}`, sk: 'PLAN' } }),
      );
      expect(item.Item).toBeDefined();
    }
    const planQueue = runtime.context.queueAddresses.plan;
    await eventually('the plan queue to empty', async () => {
      const c = await queueCounts(runtime.context.sqs, planQueue.url);
      return c.visible + c.inFlight === 0;
    });
  });

  it('mirrors the stack: queue names with DLQs, the handlers’ environment variables', async () => {
    const runtime = await start({ handlers: {} });
    const { environment, queueAddresses } = runtime.context;
    expect(Object.keys(queueAddresses).sort()).toEqual([
      'check',
      'clusterEvent',
      'image',
      'plan',
      'reconcile',
    ]);
    expect(queueAddresses.reconcile.deadLetters.name).toBe('strata-reconcile-dlq');
    expect(environment).toMatchObject({
      TABLE_NAME: 'strata',
      IMAGE_QUEUE_URL: queueAddresses.image.url,
      PLAN_QUEUE_URL: queueAddresses.plan.url,
      RECONCILE_QUEUE_URL: queueAddresses.reconcile.url,
      CLUSTER_EVENT_QUEUE_URL: queueAddresses.clusterEvent.url,
      CHECK_QUEUE_URL: queueAddresses.check.url,
      AWS_REGION: 'us-east-1',
    });
    expect(environment.AWS_ENDPOINT_URL_SQS).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(environment.AWS_ENDPOINT_URL_DYNAMODB).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(process.env.RECONCILE_QUEUE_URL).toBeUndefined();
  });

  it('sends a message that fails maxReceiveCount times to the dead-letter queue', async () => {
    let attempts = 0;
    const runtime = await start({
      handlers: {
        'node-state': () => {
          attempts += 1;
          throw new Error('cannot map event');
        },
      },
      queueOverrides: { clusterEvent: { visibilityTimeoutSeconds: 1, maxReceiveCount: 2 } },
      onPollerFailure: () => undefined,
    });
    const { queues, queueAddresses, sqs } = runtime.context;
    await queues.clusterEvent.send({
      clusterId: 'c1',
      kind: 'Node',
      name: 'n1',
      eventType: 'MODIFIED',
      observedAt: '2026-01-01T00:00:00Z',
    });
    const dead = await eventually('the event in the DLQ', async () => {
      const bodies = await receiveAll(sqs, queueAddresses.clusterEvent.deadLetters.url);
      return bodies.length > 0 ? bodies : undefined;
    });
    expect(JSON.parse(dead[0]!)).toMatchObject({ clusterId: 'c1', name: 'n1' });
    expect(attempts).toBe(2);
  });

  it('keeps the table across a restart with a data directory, and not without one', async () => {
    const dataDir = await tempDir();
    const item = { pk: 'CLUSTER#c1', sk: 'META', name: 'c1' };
    const key = { pk: item.pk, sk: item.sk };

    const first = await startRuntime({ dataDir, handlers: {} });
    await first.context.doc.send(new PutCommand({ TableName: first.context.tableName, Item: item }));
    await first.stop();
    const second = await start({ dataDir, handlers: {} });
    const kept = await second.context.doc.send(
      new GetCommand({ TableName: second.context.tableName, Key: key }),
    );
    expect(kept.Item).toEqual(item);

    const memory = await startRuntime({ handlers: {} });
    await memory.context.doc.send(new PutCommand({ TableName: memory.context.tableName, Item: item }));
    await memory.stop();
    const fresh = await start({ handlers: {} });
    const gone = await fresh.context.doc.send(
      new GetCommand({ TableName: fresh.context.tableName, Key: key }),
    );
    expect(gone.Item).toBeUndefined();
  });

  it('serves HTTP routes and further services on top, ticks resync, and stops everything it opened', async () => {
    const before = liveHandles();
    let ticks = 0;
    const calls: string[] = [];
    const runtime = await startRuntime({
      exportEnvironment: true,
      resyncIntervalSeconds: 0.05,
      handlers: {
        resync: async () => {
          ticks += 1;
          expect(process.env.TABLE_NAME).toBe('strata');
        },
        'image-push': async () => undefined,
      },
      routes: (ctx) => [
        { routeKey: 'GET /table', handler: async () => ({ statusCode: 200, body: ctx.tableName }) },
      ],
      services: [
        {
          name: 'relay',
          async start(ctx) {
            const server = createServer((_, res) => res.end(ctx.queueAddresses.clusterEvent.name));
            await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
            calls.push('relay started');
            return {
              url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
              stop: async () => {
                calls.push('relay stopped');
                await new Promise<void>((ok) => server.close(() => ok()));
              },
            };
          },
        },
      ],
    });
    const table = await fetch(`${runtime.services.http?.url}/table`).then((r) => r.text());
    const relay = await fetch(runtime.services.relay?.url ?? '').then((r) => r.text());
    await eventually('two resync ticks', () => ticks >= 2);
    await runtime.stop();
    await runtime.stopped;

    expect(table).toBe('strata');
    expect(relay).toBe('strata-cluster-event');
    expect(calls).toEqual(['relay started', 'relay stopped']);
    expect(process.env.TABLE_NAME).toBeUndefined();
    await eventually('handles to close', () => backTo(before), 5000);
  });

  it('stops on SIGTERM when asked to', async () => {
    const runtime = await startRuntime({ handlers: {}, stopOnSignals: true });
    process.emit('SIGTERM');
    await runtime.stopped;
    expect(process.listenerCount('SIGTERM')).toBe(0);
  });

  it('refuses unusable options, naming them, and leaves nothing running', async () => {
    const before = liveHandles();
    await expect(
      startRuntime({ handlers: { 'pool-reconciler': async () => undefined } as never }),
    ).rejects.toThrow(RuntimeConfigError);
    // Found only once the handlers are built from the started runtime: what started is stopped again.
    await expect(startRuntime({ handlers: () => ({ resyncc: () => undefined }) as never })).rejects.toThrow(
      /handlers\.resyncc: no such queue consumer or tick/,
    );
    await expect(startRuntime({ handlers: {}, queueOverrides: { images: {} } as never })).rejects.toThrow(
      /queueOverrides\.images: no such work queue/,
    );
    await expect(
      startRuntime({ handlers: {}, queueOverrides: { plan: { visibilityTimeoutSeconds: -1 } } }),
    ).rejects.toThrow(/queue definition "plan": visibilityTimeoutSeconds must be a whole number/);
    await expect(startRuntime({ handlers: {}, resyncIntervalSeconds: 0 })).rejects.toThrow(
      /resyncIntervalSeconds/,
    );
    await eventually('handles to close', () => backTo(before), 5000);
  });
});
