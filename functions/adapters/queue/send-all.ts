/** Sending many messages to one queue, a bounded number at once. */
import type { MessageQueue } from '../../core/ports.ts';

/** Sends every message, at most `concurrency` at once (one slow send must not serialise a large fleet). */
export async function sendAll<T>(queue: MessageQueue<T>, messages: T[], concurrency = 16): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < messages.length) await queue.send(messages[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, messages.length) }, worker));
}
