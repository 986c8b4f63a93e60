/** MCO's `maxUnavailable(pool, nodes)` (reference/mco.md §2.3). */
import type { IntOrPercent } from '../model.ts';
import { InvalidPolicyError } from './errors.ts';

/**
 * Resolves maxUnavailable against the pool size: an int as is, a percent floored; 0 becomes 1; absent is 1.
 * @throws InvalidPolicyError for a string that is not `<integer>%`, or a negative value.
 */
export function resolveMaxUnavailable(value: IntOrPercent | undefined | null, nodeCount: number): number {
  if (value === undefined || value === null) return 1;
  let scaled: number;
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value < 0) {
      throw new InvalidPolicyError(`maxUnavailable: ${value} is not a non-negative integer`);
    }
    scaled = value;
  } else {
    const match = /^(\d+)%$/.exec(value);
    if (!match) {
      throw new InvalidPolicyError(`maxUnavailable: "${value}" is neither an integer nor "<integer>%"`);
    }
    scaled = Math.floor((Number(match[1]) * nodeCount) / 100);
  }
  return scaled === 0 ? 1 : scaled;
}
