import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fullBucket, takeToken } from '../../../functions/core/checks/index.ts';

describe('token bucket', () => {
  it('lets a burst through at once, then spaces requests at the rate', () => {
    const settings = { ratePerSecond: 10, burst: 3 };
    let state = fullBucket(settings, 0);
    const waits: number[] = [];
    for (let i = 0; i < 5; i++) {
      const taken = takeToken(settings, state, 0);
      state = taken.state;
      waits.push(taken.waitMs);
    }
    expect(waits).toEqual([0, 0, 0, 100, 200]);
  });

  it('refills with time up to the burst', () => {
    const settings = { ratePerSecond: 2, burst: 2 };
    let state = takeToken(settings, fullBucket(settings, 0), 0).state;
    state = takeToken(settings, state, 0).state;
    expect(takeToken(settings, state, 500).waitMs).toBe(0);
    expect(takeToken(settings, state, 10_000).state.tokens).toBe(1);
  });

  it('never admits more than burst + rate × elapsed requests without waiting', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 1, max: 10 }),
        fc.array(fc.integer({ min: 0, max: 300 }), { minLength: 1, maxLength: 60 }),
        (rate, burst, gaps) => {
          const settings = { ratePerSecond: rate, burst };
          let state = fullBucket(settings, 0);
          let t = 0;
          let release = 0;
          for (const gap of gaps) {
            t += gap;
            const taken = takeToken(settings, state, t);
            state = taken.state;
            release = Math.max(release, t + taken.waitMs);
          }
          // n requests released by `release` need burst + rate × release / 1000 ≥ n - 1 (rounding up a ms).
          expect(burst + (rate * (release + 1)) / 1000).toBeGreaterThanOrEqual(gaps.length);
        },
      ),
    );
  });
});
