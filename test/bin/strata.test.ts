import { describe, expect, it } from 'vitest';
import { strata } from '../support/cli.ts';

describe('strata CLI', () => {
  it('prints help and exits 0', () => {
    const { code, stdout } = strata(['--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('Usage: strata');
  });

  it('exits 2 on an unknown command', () => {
    const { code, stderr } = strata(['no-such-command']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/unknown command|too many arguments/);
  });
});
