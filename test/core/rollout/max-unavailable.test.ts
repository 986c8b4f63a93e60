import { describe, expect, it } from 'vitest';
import { InvalidPolicyError, resolveMaxUnavailable } from '../../../functions/core/rollout/index.ts';

describe('maxUnavailable (TestMaxUnavailable, 4 nodes)', () => {
  it.each([
    [undefined, 1],
    [2, 2],
    [0, 1],
    ['50%', 2],
    ['60%', 2],
  ] as const)('%s → %s', (input, expected) => {
    expect(resolveMaxUnavailable(input as never, 4)).toBe(expected);
  });

  it.each(['50 percent', '60', '40 %'])('"%s" is an error naming the field', (input) => {
    expect(() => resolveMaxUnavailable(input as never, 4)).toThrow(InvalidPolicyError);
    expect(() => resolveMaxUnavailable(input as never, 4)).toThrow(/maxUnavailable/);
  });
});
