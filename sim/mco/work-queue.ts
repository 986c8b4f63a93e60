/**
 * A controller work queue on simulated time, as client-go's delaying, rate-limited queue behaves for MCO's
 * controllers: a key added while already waiting is not queued twice (the earlier due time wins); a sync
 * that fails is retried after 5 ms × 2^n (MCO's `maxRetries` = 15), then dropped and re-added after a
 * minute (reference/mco.md §1.6).
 */
import type { SimClock, TimerHandle } from '../clock.ts';

const MAX_RETRIES = 15;
const BASE_DELAY_MS = 5;
const MAX_DELAY_MS = 1000_000;
const DROPPED_READD_MS = 60_000;

export class WorkQueue {
  private readonly clock: SimClock;
  private readonly sync: (key: string) => void;
  private readonly waiting = new Map<string, { due: number; timer: TimerHandle }>();
  private readonly failures = new Map<string, number>();
  private stopped = false;
  /** Errors of syncs, newest last (kept for tests and debugging; bounded). */
  readonly errors: { key: string; message: string }[] = [];

  /** `sync` runs a key; throwing retries it with backoff. */
  constructor(clock: SimClock, sync: (key: string) => void) {
    this.clock = clock;
    this.sync = sync;
  }

  /** Queues `key` to run after `delayMs` (or sooner, if it already waits for less). */
  add(key: string, delayMs: number): void {
    if (this.stopped) return;
    const due = this.clock.now() + delayMs;
    const waiting = this.waiting.get(key);
    if (waiting && waiting.due <= due) return;
    if (waiting) this.clock.cancel(waiting.timer);
    const timer = this.clock.schedule(delayMs, () => this.run(key));
    this.waiting.set(key, { due, timer });
  }

  /** Whether `key` waits to run. */
  has(key: string): boolean {
    return this.waiting.has(key);
  }

  stop(): void {
    this.stopped = true;
    for (const { timer } of this.waiting.values()) this.clock.cancel(timer);
    this.waiting.clear();
  }

  private run(key: string): void {
    this.waiting.delete(key);
    if (this.stopped) return;
    try {
      this.sync(key);
      this.failures.delete(key);
    } catch (error) {
      this.errors.push({ key, message: error instanceof Error ? error.message : String(error) });
      if (this.errors.length > 100) this.errors.shift();
      const n = this.failures.get(key) ?? 0;
      if (n < MAX_RETRIES) {
        this.failures.set(key, n + 1);
        this.add(key, Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** n));
      } else {
        this.failures.delete(key);
        this.add(key, DROPPED_READD_MS);
      }
    }
  }
}
