/**
 * A token bucket (pure: the caller passes the clock). Paces requests per registry host: `ratePerSecond`
 * sustained, bursts up to `burst`.
 */

/** Bucket settings. */
export interface BucketSettings {
  ratePerSecond: number;
  burst: number;
}

/** A bucket's state. */
export interface BucketState {
  tokens: number;
  /** Epoch ms of the last refill. */
  at: number;
}

/** A full bucket at `now`. */
export function fullBucket(settings: BucketSettings, now: number): BucketState {
  return { tokens: settings.burst, at: now };
}

/**
 * Takes one token at `now`: the new state and how long to wait (ms) before the request may go. A wait
 * greater than zero means the token is taken in advance (the state goes negative), so concurrent callers
 * queue up in order instead of all waking at once.
 */
export function takeToken(
  settings: BucketSettings,
  state: BucketState,
  now: number,
): { state: BucketState; waitMs: number } {
  const elapsed = Math.max(0, now - state.at);
  const tokens = Math.min(settings.burst, state.tokens + (elapsed * settings.ratePerSecond) / 1000) - 1;
  const waitMs = tokens >= 0 ? 0 : Math.ceil((-tokens * 1000) / settings.ratePerSecond);
  return { state: { tokens, at: now }, waitMs };
}
