/**
 * A small real in-process MessageQueue: at-least-once, unordered delivery with per-message delays, and a
 * consumer loop with bounded concurrency. Tests and benches use it, and the embedded runtime can fall back
 * to it when no SQS-compatible server is wanted. Optional faults (drop, duplicate, extra delay) make the
 * delivery guarantees as weak as SQS's on purpose.
 */
import type { MessageQueue, SendOptions } from '../functions/core/ports.ts';

/** Delivery faults, each a probability in [0, 1]. */
export interface QueueFaults {
  /** A sent message is lost. */
  drop?: number;
  /** A sent message is delivered twice. */
  duplicate?: number;
  /** Up to this many extra ms of delay per delivery (reordering). */
  jitterMs?: number;
  /** Random source (seeded in tests). */
  random?: () => number;
}

/** Options of {@link InProcessQueue}. */
export interface InProcessQueueOptions<T = unknown> {
  /** How many messages are handled at once. Default 4. */
  concurrency?: number;
  /** Scales `delaySeconds` into wall time (e.g. 0.001 to run 1 s delays in 1 ms). Default 1. */
  delayScale?: number;
  faults?: QueueFaults;
  /** Failed handling is redelivered after this many ms (visibility timeout). Default 50. */
  retryAfterMs?: number;
  /** Called when handling throws (the message is redelivered). */
  onError?: (error: unknown, body: unknown) => void;
  /**
   * Work-queue semantics by key (as controller-runtime's): a key is handled by one consumer at a time, and
   * a message whose key is already waiting merges into it (the earlier due time wins). Not what SQS does:
   * without it (the default) every message sent is delivered, at least once. An explicit option for tests
   * of level-triggered consumers only; benchmarks never set it (merging hides the cost SQS would bill).
   */
  keyOf?: (body: T) => string;
}

interface Pending<T> {
  body: T;
  dueAt: number;
}

/** An in-process queue with a consumer loop. */
export class InProcessQueue<T> implements MessageQueue<T> {
  private readonly options: Required<Omit<InProcessQueueOptions<T>, 'faults' | 'onError' | 'keyOf'>> &
    InProcessQueueOptions<T>;
  private readonly runningKeys = new Set<string>();
  private readonly pending: Pending<T>[] = [];
  private handler: ((body: T) => Promise<unknown>) | undefined;
  private running = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private idleWaiters: (() => void)[] = [];
  /** Messages sent (before faults), delivered, and dropped: the cost model counts these. */
  readonly stats = { sent: 0, delivered: 0, dropped: 0, duplicated: 0, failed: 0, merged: 0 };

  constructor(options: InProcessQueueOptions<T> = {}) {
    this.options = { concurrency: 4, delayScale: 1, retryAfterMs: 50, ...options };
  }

  async send(body: T, options: SendOptions = {}): Promise<void> {
    this.stats.sent++;
    const f = this.options.faults;
    const random = f?.random ?? Math.random;
    if (f?.drop && random() < f.drop) {
      this.stats.dropped++;
      return;
    }
    const copies = f?.duplicate && random() < f.duplicate ? 2 : 1;
    if (copies === 2) this.stats.duplicated++;
    for (let i = 0; i < copies; i++) {
      const jitter = f?.jitterMs ? random() * f.jitterMs : 0;
      this.enqueue(
        structuredClone(body),
        (options.delaySeconds ?? 0) * 1000 * this.options.delayScale + jitter,
      );
    }
  }

  /** Starts consuming with `handler`; a throw redelivers the message after `retryAfterMs`. */
  consume(handler: (body: T) => Promise<unknown>): void {
    this.handler = handler;
    this.pump();
  }

  /** Messages waiting (due or delayed) plus those being handled. */
  get depth(): number {
    return this.pending.length + this.running;
  }

  /** Resolves when nothing is pending or running (delayed messages count as pending). */
  idle(): Promise<void> {
    if (this.depth === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops delivering; pending messages are discarded. */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.pending.length = 0;
    this.wakeIdle();
  }

  private enqueue(body: T, delayMs: number): void {
    if (this.stopped) return;
    const dueAt = Date.now() + delayMs;
    const keyOf = this.options.keyOf;
    if (keyOf) {
      const key = keyOf(body);
      const waiting = this.pending.find((p) => keyOf(p.body) === key);
      if (waiting) {
        waiting.dueAt = Math.min(waiting.dueAt, dueAt);
        this.stats.merged++;
        this.pump();
        return;
      }
    }
    this.pending.push({ body, dueAt });
    this.pump();
  }

  private wakeIdle(): void {
    if (this.depth !== 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  private pump(): void {
    if (!this.handler || this.stopped) return;
    const now = Date.now();
    while (this.running < this.options.concurrency) {
      let index = -1;
      for (let i = 0; i < this.pending.length; i++) {
        const p = this.pending[i]!;
        if (this.options.keyOf && this.runningKeys.has(this.options.keyOf(p.body))) continue;
        if (p.dueAt <= now && (index < 0 || p.dueAt < this.pending[index]!.dueAt)) index = i;
      }
      if (index < 0) break;
      const [item] = this.pending.splice(index, 1);
      this.run(item!);
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    // Only messages not waiting for their key to free up need a timer (a finishing handler pumps again).
    const timed = this.pending.filter(
      (p) => !(this.options.keyOf && this.runningKeys.has(this.options.keyOf(p.body))) && p.dueAt > now,
    );
    if (timed.length > 0 && this.running < this.options.concurrency) {
      const next = Math.min(...timed.map((p) => p.dueAt));
      this.timer = setTimeout(() => this.pump(), Math.max(0, next - Date.now()));
    }
  }

  private run(item: Pending<T>): void {
    const key = this.options.keyOf?.(item.body);
    if (key !== undefined) this.runningKeys.add(key);
    this.running++;
    this.stats.delivered++;
    this.handler!(item.body)
      .catch((error) => {
        this.stats.failed++;
        this.options.onError?.(error, item.body);
        this.enqueue(item.body, this.options.retryAfterMs);
      })
      .finally(() => {
        if (key !== undefined) this.runningKeys.delete(key);
        this.running--;
        this.pump();
        this.wakeIdle();
      });
  }
}
