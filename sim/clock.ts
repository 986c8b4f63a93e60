/**
 * Simulated time. Every delay in the simulator (rebase, reboot, eviction return, faults) is a simulated
 * duration scheduled on a clock:
 * - {@link RealTimeClock} runs simulated time `timeScale` times faster than wall time (for `strata sim`,
 *   `npm start` and integration tests);
 * - {@link ManualClock} only moves when told to ({@link ManualClock.advance}), so a deterministic driver
 *   gets an identical timeline, timestamps included, for the same seed.
 */
export interface SimClock {
  /** Simulated milliseconds since the fleet started. */
  now(): number;
  /** Runs `fn` after `delayMs` simulated milliseconds. */
  schedule(delayMs: number, fn: () => void): TimerHandle;
  cancel(handle: TimerHandle): void;
  /** Stops every pending timer. */
  stop(): void;
}

/** An opaque timer handle. */
export interface TimerHandle {
  readonly id: number;
}

/** Simulated time = wall time since start × `timeScale`. */
export class RealTimeClock implements SimClock {
  private readonly started = performance.now();
  private readonly timers = new Map<number, NodeJS.Timeout>();
  private nextId = 1;
  private readonly timeScale: number;

  constructor(timeScale: number) {
    this.timeScale = timeScale;
  }

  now(): number {
    return Math.round((performance.now() - this.started) * this.timeScale);
  }

  schedule(delayMs: number, fn: () => void): TimerHandle {
    const id = this.nextId++;
    const timer = setTimeout(
      () => {
        this.timers.delete(id);
        fn();
      },
      Math.max(0, delayMs / this.timeScale),
    );
    timer.unref?.();
    this.timers.set(id, timer);
    return { id };
  }

  cancel(handle: TimerHandle): void {
    const timer = this.timers.get(handle.id);
    if (timer) clearTimeout(timer);
    this.timers.delete(handle.id);
  }

  stop(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }
}

interface ManualTimer {
  id: number;
  due: number;
  fn: () => void;
}

/** Time that moves only through {@link advance}; timers due at the same instant run in scheduling order. */
export class ManualClock implements SimClock {
  private current = 0;
  private readonly timers: ManualTimer[] = [];
  private nextId = 1;

  now(): number {
    return this.current;
  }

  schedule(delayMs: number, fn: () => void): TimerHandle {
    const timer = { id: this.nextId++, due: this.current + Math.max(0, delayMs), fn };
    this.timers.push(timer);
    return { id: timer.id };
  }

  cancel(handle: TimerHandle): void {
    const index = this.timers.findIndex((t) => t.id === handle.id);
    if (index >= 0) this.timers.splice(index, 1);
  }

  stop(): void {
    this.timers.length = 0;
  }

  /** Number of timers still pending. */
  get pending(): number {
    return this.timers.length;
  }

  /**
   * Moves time forward by `ms`, running every timer that falls due, in (due time, scheduling) order.
   * Yields to the event loop between timers so that watch streams and HTTP responses get written.
   */
  async advance(ms: number): Promise<void> {
    const target = this.current + ms;
    for (;;) {
      const next = this.earliest();
      if (!next || next.due > target) break;
      this.timers.splice(this.timers.indexOf(next), 1);
      this.current = next.due;
      next.fn();
      await new Promise((resolve) => setImmediate(resolve));
    }
    this.current = target;
  }

  /** Advances until no timer is pending (or `limitMs` of simulated time has passed). */
  async runUntilIdle(limitMs = 24 * 3600_000): Promise<void> {
    const limit = this.current + limitMs;
    for (;;) {
      const next = this.earliest();
      if (!next || next.due > limit) return;
      await this.advance(next.due - this.current);
    }
  }

  private earliest(): ManualTimer | undefined {
    let best: ManualTimer | undefined;
    for (const t of this.timers)
      if (!best || t.due < best.due || (t.due === best.due && t.id < best.id)) best = t;
    return best;
  }
}
