import { describe, expect, it } from 'vitest';
import {
  InvalidPolicyError,
  isWindowOpen,
  nextWindowOpening,
  validateWindows,
} from '../../../functions/core/rollout/index.ts';

const nightly = [{ cron: '0 2 * * *', timeZone: 'Europe/Berlin', durationMinutes: 60 }];

describe('maintenance windows', () => {
  it('is open from the cron time for its duration, in the window time zone (CEST = UTC+2)', () => {
    expect(isWindowOpen(nightly, new Date('2026-07-01T00:00:00Z'))).toBe(true);
    expect(isWindowOpen(nightly, new Date('2026-07-01T00:59:59Z'))).toBe(true);
    expect(isWindowOpen(nightly, new Date('2026-07-01T01:00:00Z'))).toBe(false);
    expect(isWindowOpen(nightly, new Date('2026-07-01T23:59:59Z'))).toBe(false);
  });

  it('follows winter time (CET = UTC+1)', () => {
    expect(isWindowOpen(nightly, new Date('2026-01-15T01:30:00Z'))).toBe(true);
    expect(isWindowOpen(nightly, new Date('2026-01-15T00:30:00Z'))).toBe(false);
  });

  it('no windows means always open; next opening is reported', () => {
    expect(isWindowOpen([], new Date())).toBe(true);
    expect(nextWindowOpening(nightly, new Date('2026-07-01T01:30:00Z'))?.toISOString()).toBe(
      '2026-07-02T00:00:00.000Z',
    );
  });

  it('rejects a bad cron or duration, naming the window and field', () => {
    expect(() =>
      validateWindows([{ cron: 'every night', durationMinutes: 60 }], 'cluster c1 windows'),
    ).toThrow(/cluster c1 windows\[0\]\.cron/);
    expect(() => validateWindows([{ cron: '0 2 * * *', durationMinutes: 0 }])).toThrow(InvalidPolicyError);
  });

  it('reports an unknown time zone as such, not as an invalid cron expression', () => {
    const bad = [{ cron: '0 2 * * *', timeZone: 'Mars/Olympus', durationMinutes: 60 }];
    expect(() => validateWindows(bad, 'cluster c1 windows')).toThrow(
      'cluster c1 windows[0].timeZone: "Mars/Olympus" is not a known IANA time zone',
    );
    expect(() => validateWindows(bad)).not.toThrow(/cron/);
    expect(() => isWindowOpen(bad, new Date())).toThrow(/windows\[0\]\.timeZone/);
  });
});
