/** Sending many messages to one queue, a bounded number at once. */
import type { MessageQueue } from '../../core/ports.ts';

/**
 * Sends every message: in batches when the queue sends batches (SQS bills a SendMessageBatch of ten as one
 * request), else at most `concurrency` at once (one slow send must not serialise a large fleet).
 */
export async function sendAll<T>(queue: MessageQueue<T>, messages: T[], concurrency = 16): Promise<void> {
  if (messages.length === 0) return;
  if (queue.sendBatch && messages.length > 1) return queue.sendBatch(messages);
  let next = 0;
  const worker = async () => {
    while (next < messages.length) await queue.send(messages[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, messages.length) }, worker));
}
