import { describe, expect, it } from 'vitest';
import { InProcessQueue } from '../../local/in-process-queue.ts';

describe('InProcessQueue', () => {
  it('delivers after the delay, redelivers after a failure, and becomes idle', async () => {
    // Prepare
    const q = new InProcessQueue<{ n: number }>({ delayScale: 0.01, retryAfterMs: 5 });
    const seen: number[] = [];
    let failOnce = true;
    q.consume(async ({ n }) => {
      if (n === 2 && failOnce) {
        failOnce = false;
        throw new Error('transient');
      }
      seen.push(n);
    });
    // Act
    await q.send({ n: 1 }, { delaySeconds: 2 });
    await q.send({ n: 2 });
    await q.idle();
    // Assess: 2 (failed once, redelivered) and the delayed 1 both arrive.
    expect(seen.sort()).toEqual([1, 2]);
    expect(q.stats).toMatchObject({ sent: 2, failed: 1, delivered: 3 });
    q.stop();
  });

  it('with keys: one handler per key at a time, waiting messages of a key merged', async () => {
    const q = new InProcessQueue<{ key: string }>({ concurrency: 4, keyOf: (m) => m.key });
    let running = 0;
    let peak = 0;
    let handled = 0;
    q.consume(async () => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, 10));
      running--;
      handled++;
    });
    for (let i = 0; i < 5; i++) await q.send({ key: 'a' });
    await q.idle();
    expect(peak).toBe(1);
    // The first runs; the other four merge into one waiting message.
    expect(handled).toBe(2);
    expect(q.stats.merged).toBe(3);
    q.stop();
  });

  it('drop and duplicate faults are drawn from the given random source', async () => {
    // Draws: message 1 dropped (0.0); message 2 kept (0.9) and duplicated (0.1); message 3 kept, single.
    const values = [0.0, 0.9, 0.1, 0.9, 0.9];
    let i = 0;
    const q = new InProcessQueue<number>({
      faults: { drop: 0.5, duplicate: 0.5, random: () => values[i++]! },
    });
    const seen: number[] = [];
    q.consume(async (n) => void seen.push(n));
    await q.send(1);
    await q.send(2);
    await q.send(3);
    await q.idle();
    expect(seen.sort()).toEqual([2, 2, 3]);
    expect(q.stats).toMatchObject({ sent: 3, dropped: 1, duplicated: 1 });
    q.stop();
  });
});
