/**
 * Tag answers shared within one check cycle. Many tracks are built on the same base: within a cycle the
 * base tag is resolved once per warm process, not once per track, and concurrent callers share one
 * request. A new cycle asks again (so a base pushed between two cycles is always seen by the second), and
 * no answer is reused for longer than `maxAgeMs` even within a cycle.
 */
import type { CycleResolver, ResolvedTag, TagResolver } from '../../core/registry.ts';

export type { CycleResolver } from '../../core/registry.ts';

/** Options of {@link cycleMemo}. */
export interface CycleMemoOptions {
  /** Longest reuse of one answer. Default 60 s. */
  maxAgeMs?: number;
  /** Cycles remembered at once (checks of the previous cycle may still run). Default 2. */
  cycles?: number;
  now?: () => number;
}

/** Wraps `inner` with per-cycle memory (failures are not remembered). */
export function cycleMemo(inner: TagResolver, options: CycleMemoOptions = {}): CycleResolver {
  const maxAge = options.maxAgeMs ?? 60_000;
  const keep = options.cycles ?? 2;
  const now = options.now ?? Date.now;
  const cycles = new Map<string, Map<string, { at: number; answer: Promise<ResolvedTag> }>>();
  return {
    resolveTag(image, cycle) {
      let answers = cycles.get(cycle);
      if (answers === undefined) {
        answers = new Map();
        cycles.set(cycle, answers);
        while (cycles.size > keep) cycles.delete(cycles.keys().next().value as string);
      }
      const key = `${image.host}/${image.repository}:${image.tag}`;
      const known = answers.get(key);
      if (known && now() - known.at < maxAge) return known.answer;
      const answer = inner.resolveTag(image);
      const entry = { at: now(), answer };
      answers.set(key, entry);
      const own = answers;
      answer.catch(() => {
        if (own.get(key) === entry) own.delete(key);
      });
      return answer;
    },
  };
}
