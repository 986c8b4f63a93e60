/**
 * A tag resolver that answers repeated questions about one tag from memory for a short time, and lets
 * concurrent callers share one request. Many tracks are built on the same base: within one check cycle
 * the base tag is resolved once per warm process, not once per track.
 */
import type { ResolvedTag, TaggedImage, TagResolver } from './oci-client.ts';

/** Options of {@link memoResolver}. */
export interface MemoOptions {
  /** How long an answer is reused. Keep it well below the check interval. Default 60 s. */
  ttlMs?: number;
  now?: () => number;
}

/** Wraps `inner` with a short-lived memory (failures are not remembered). */
export function memoResolver(inner: TagResolver, options: MemoOptions = {}): TagResolver {
  const ttl = options.ttlMs ?? 60_000;
  const now = options.now ?? Date.now;
  const answers = new Map<string, { at: number; answer: Promise<ResolvedTag> }>();
  return {
    resolveTag(image: TaggedImage): Promise<ResolvedTag> {
      const key = `${image.host}/${image.repository}:${image.tag}`;
      const known = answers.get(key);
      if (known && now() - known.at < ttl) return known.answer;
      const answer = inner.resolveTag(image);
      answers.set(key, { at: now(), answer });
      answer.catch(() => {
        if (answers.get(key)?.answer === answer) answers.delete(key);
      });
      // Bounded: drop expired answers once the memory grows.
      if (answers.size > 5_000) {
        for (const [k, v] of answers) if (now() - v.at >= ttl) answers.delete(k);
      }
      return answer;
    },
  };
}
