import type { ScheduledEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { RuntimeConfigError } from '../../local/errors.ts';
import { startTick } from '../../local/ticks.ts';
import { eventually, gate } from './helpers.ts';

describe('schedule tick', () => {
  it('invokes the handler repeatedly with a ScheduledEvent and never overlaps itself', async () => {
    const events: ScheduledEvent[] = [];
    let running = 0;
    let maxRunning = 0;
    const tick = startTick({
      name: 'resync-test',
      functionName: 'resync',
      intervalSeconds: 0.02,
      // Each run outlasts several intervals.
      handler: async (event) => {
        running += 1;
        maxRunning = Math.max(maxRunning, running);
        events.push(event);
        await new Promise((r) => setTimeout(r, 80));
        running -= 1;
      },
    });

    await eventually('four runs', () => events.length >= 4);
    await tick.stop();

    expect(maxRunning).toBe(1);
    expect(events[0]).toMatchObject({
      'detail-type': 'Scheduled Event',
      source: 'aws.scheduler',
      account: '000000000000',
      region: 'us-east-1',
      resources: ['arn:aws:scheduler:us-east-1:000000000000:schedule/default/resync-test'],
      detail: {},
    });
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
  });

  it('stop waits for the run in progress and cancels the next one', async () => {
    const started = gate();
    const release = gate();
    let runs = 0;
    let finished = 0;
    const tick = startTick({
      name: 't',
      functionName: 'resync',
      intervalSeconds: 0.01,
      handler: async () => {
        runs += 1;
        started.open();
        await release.promise;
        finished += 1;
      },
    });
    await started.promise;

    const stopping = tick.stop();
    setTimeout(release.open, 50);
    await stopping;

    expect(finished).toBe(1);
    await new Promise((r) => setTimeout(r, 100));
    expect(runs).toBe(1);
  });

  it('keeps ticking after a run throws, reporting the error', async () => {
    const errors: unknown[] = [];
    let runs = 0;
    const tick = startTick({
      name: 't',
      functionName: 'resync',
      intervalSeconds: 0.01,
      runAtStart: true,
      handler: () => {
        runs += 1;
        throw new Error(`run ${runs} failed`);
      },
      onError: (e) => errors.push(e),
    });
    await eventually('three runs', () => runs >= 3);
    await tick.stop();
    expect(errors[0]).toEqual(new Error('run 1 failed'));
    expect(errors.length).toBe(runs);
  });

  it('rejects an interval that is not a positive number', () => {
    expect(() =>
      startTick({ name: 't', functionName: 'f', intervalSeconds: 0, handler: () => undefined }),
    ).toThrow(RuntimeConfigError);
    expect(() =>
      startTick({ name: 't', functionName: 'f', intervalSeconds: Number.NaN, handler: () => undefined }),
    ).toThrow(/tick t: intervalSeconds must be a positive number, got NaN/);
  });
});
