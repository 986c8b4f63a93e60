/**
 * Schedule ticks, as EventBridge Scheduler `rate(...)` schedules invoking a Lambda: the handler gets a
 * ScheduledEvent-shaped payload every `intervalSeconds`. Unlike the scheduler, a tick never overlaps
 * itself: a run that outlasts the interval delays the next one (missed ticks are skipped, not queued).
 */
import { randomUUID } from 'node:crypto';
import type { Callback, Context, ScheduledEvent } from 'aws-lambda';
import { RuntimeConfigError } from './errors.ts';
import { createLambdaContext, noCallback } from './lambda-context.ts';
import { LOCAL_ACCOUNT_ID } from './local-aws.ts';

/** A scheduled handler, as Lambda calls it (a `ScheduledHandler` from aws-lambda fits). */
export type ScheduledHandler = (event: ScheduledEvent, context: Context, callback: Callback) => unknown;

/** Options of one tick. */
export interface TickOptions {
  /** Schedule name (in the event's `resources`) and function name (in the context). */
  name: string;
  functionName: string;
  intervalSeconds: number;
  handler: ScheduledHandler;
  /** Lambda timeout of the function (context only). Default 60. */
  functionTimeoutSeconds?: number;
  region?: string;
  /** Run once right away instead of after the first interval. Default false (as a rate schedule). */
  runAtStart?: boolean;
  /** Called when a run throws. Default: one line on stderr. The tick keeps going. */
  onError?: (error: unknown) => void;
}

/** A running tick. */
export interface Tick {
  /** Cancels the next run and waits for a run in progress to finish. */
  stop(): Promise<void>;
}

/** Starts a tick. */
export function startTick(options: TickOptions): Tick {
  const intervalMs = options.intervalSeconds * 1000;
  if (!(Number.isFinite(intervalMs) && intervalMs > 0)) {
    throw new RuntimeConfigError(
      `tick ${options.name}: intervalSeconds must be a positive number, got ${options.intervalSeconds}`,
    );
  }
  const region = options.region ?? 'us-east-1';
  const onError =
    options.onError ??
    ((error: unknown) =>
      process.stderr.write(
        `${options.functionName}: ${error instanceof Error ? error.message : String(error)}\n`,
      ));
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let due = Date.now() + (options.runAtStart ? 0 : intervalMs);

  const run = async (): Promise<void> => {
    const event: ScheduledEvent = {
      version: '0',
      id: randomUUID(),
      'detail-type': 'Scheduled Event',
      source: 'aws.scheduler',
      account: LOCAL_ACCOUNT_ID,
      time: new Date().toISOString(),
      region,
      resources: [`arn:aws:scheduler:${region}:${LOCAL_ACCOUNT_ID}:schedule/default/${options.name}`],
      detail: {},
    };
    const context = createLambdaContext({
      functionName: options.functionName,
      timeoutSeconds: options.functionTimeoutSeconds ?? 60,
      region,
    });
    try {
      await options.handler(event, context, noCallback(options.functionName));
    } catch (error) {
      onError(error);
    }
  };

  const schedule = () => {
    if (stopped) return;
    // Next due time on the rate grid; runs that overran skip the ticks they missed.
    const now = Date.now();
    while (due <= now) due += intervalMs;
    timer = setTimeout(fire, due - now);
  };
  const fire = () => {
    timer = undefined;
    running = run().finally(() => {
      running = undefined;
      schedule();
    });
  };

  if (options.runAtStart) fire();
  else timer = setTimeout(fire, intervalMs);

  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      await running;
    },
  };
}
