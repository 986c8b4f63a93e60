/**
 * Update checks: the schedule's tick (a ScheduledEvent) fans out (update-check/tick.ts); the check queue's
 * consumer (an SQSEvent) checks a track (update-check/track.ts) or a cluster's drift (update-check/drift.ts).
 */
import type { Context, ScheduledEvent, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { processSqsBatch } from '../adapters/lambda/sqs-batch.ts';
import type { DriftCheckOutcome, TickOutcome, TrackCheckOutcome } from '../core/checks/index.ts';
import { CheckQueueMessageSchema, parseMessage } from '../core/messages.ts';
import * as aws from '../wiring/aws.ts';
import { checkClusterDrift, type DriftCheckDeps } from './update-check/drift.ts';
import { type CheckTickDeps, runCheckTick } from './update-check/tick.ts';
import { checkTrack, type TrackCheckDeps } from './update-check/track.ts';

/** What the update check needs. */
export type UpdateCheckDeps = CheckTickDeps & TrackCheckDeps & DriftCheckDeps;

/** Processes one check-queue message. Invalid messages are logged and dropped. */
export async function processCheckMessage(
  deps: UpdateCheckDeps,
  body: unknown,
): Promise<TrackCheckOutcome | DriftCheckOutcome | { outcome: 'invalid'; reason: string }> {
  const parsed = parseMessage(CheckQueueMessageSchema, body, 'check queue message');
  if (!parsed.ok) {
    deps.log?.({ level: 'WARN', message: 'invalid check queue message dropped', reason: parsed.reason });
    return { outcome: 'invalid', reason: parsed.reason };
  }
  const m = parsed.message;
  return m.kind === 'track'
    ? checkTrack(deps, m.track, m.cycle)
    : checkClusterDrift(deps, m.clusterId, m.cycle);
}

/** An event the update-check function receives: the schedule's tick or a batch of the check queue. */
export type UpdateCheckEvent = ScheduledEvent | SQSEvent;

/** Builds the function: ticks fan out, check-queue batches are checked (partial batch failures reported). */
export function createUpdateCheckHandler(
  deps: UpdateCheckDeps,
): (event: UpdateCheckEvent, context: Context) => Promise<SQSBatchResponse | TickOutcome> {
  return (event, context) =>
    Array.isArray((event as SQSEvent).Records)
      ? processSqsBatch(event as SQSEvent, context, (body) => processCheckMessage(deps, body))
      : runCheckTick(deps);
}

/** Lambda entry point (environment: functions/wiring/aws.ts). */
export const handler = aws.lambdaHandler('update-check', (log) =>
  createUpdateCheckHandler(aws.updateCheckDeps(log)),
);
