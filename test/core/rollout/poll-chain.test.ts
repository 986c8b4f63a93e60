import { describe, expect, it } from 'vitest';
import { claimPoll, pollChainAlive } from '../../../functions/core/rollout/index.ts';

const now = new Date('2026-06-01T00:00:00.000Z');
const at = (seconds: number) => new Date(now.getTime() + seconds * 1000).toISOString();
const claim = (nextPollAt: string | undefined, poll: string | undefined, delaySeconds: number | null) =>
  claimPoll({ pool: nextPollAt ? { nextPollAt } : {}, poll, delaySeconds, now, graceSeconds: 30 });

describe('poll chain', () => {
  it('a pool without a chain starts one when it needs polling, and none when it does not', () => {
    expect(claim(undefined, undefined, 10)).toBe(at(10));
    expect(claim(undefined, undefined, null)).toBeNull();
  });

  it('while a chain is alive, a reconcile without its token starts nothing', () => {
    expect(claim(at(5), undefined, 10)).toBeNull();
    expect(claim(at(5), at(-60), 10)).toBeNull(); // an older chain's message ends
  });

  it('the chain message carries it on, also when delivered late within the grace', () => {
    expect(claim(at(0), at(0), 10)).toBe(at(10));
    expect(claim(at(-20), at(-20), 10)).toBe(at(10));
  });

  it('a need to look sooner than the next poll takes the chain over', () => {
    expect(claim(at(60), undefined, 5)).toBe(at(5));
  });

  it('a chain overdue past the grace counts as lost and is taken over', () => {
    expect(pollChainAlive({ nextPollAt: at(-31) }, now, 30)).toBe(false);
    expect(pollChainAlive({ nextPollAt: at(-29) }, now, 30)).toBe(true);
    expect(claim(at(-31), undefined, 10)).toBe(at(10));
  });
});
