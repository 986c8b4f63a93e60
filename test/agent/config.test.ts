import { describe, expect, it } from 'vitest';
import { ConfigError, parseAgentConfig, parseDuration } from '../../agent/config.ts';
import { DEFAULT_TIMEOUTS } from '../../agent/state-machine.ts';

const quiet = () => {};

function refusal(argv: string[], env: NodeJS.ProcessEnv = {}): ConfigError {
  try {
    parseAgentConfig(argv, env, quiet);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('agent configuration', () => {
  it('takes the node name from the downward API variable, with the documented defaults', () => {
    expect(parseAgentConfig([], { NODE_NAME: 'worker-3' }, quiet)).toEqual({
      nodeName: 'worker-3',
      timeouts: DEFAULT_TIMEOUTS,
      pollIntervalMs: 60_000,
      maskAutoUpdates: true,
      hostRoot: '/host',
      logLevel: 'info',
      kubeconfig: undefined,
    });
  });

  it('reads timeouts and switches from the environment; flags win over it', () => {
    const config = parseAgentConfig(
      ['--node-name', 'n1', '--reboot-timeout', '15m', '--log-level', 'debug'],
      {
        NODE_NAME: 'ignored',
        STRATA_AGENT_STAGING_TIMEOUT: '30m',
        STRATA_AGENT_REBOOT_TIMEOUT: '1h',
        STRATA_AGENT_VERIFY_TIMEOUT: '90s',
        STRATA_AGENT_MASK_AUTO_UPDATES: 'false',
      },
      quiet,
    );
    expect(config).toMatchObject({
      nodeName: 'n1',
      timeouts: { stagingMs: 1_800_000, rebootMs: 900_000, verifyMs: 90_000 },
      maskAutoUpdates: false,
      logLevel: 'debug',
    });
    expect(parseAgentConfig(['--node-name', 'n1', '--no-mask-auto-updates'], {}, quiet).maskAutoUpdates).toBe(
      false,
    );
  });

  it('refuses bad input naming the flag or variable, exit code 2', () => {
    expect(refusal([]).message).toBe(
      'no node name: pass --node-name or set NODE_NAME (spec.nodeName, downward API)',
    );
    const duration = refusal(['--node-name', 'n', '--staging-timeout', '5']);
    expect(duration.message).toContain("'--staging-timeout <duration>' argument '5' is invalid");
    expect(duration.message).toContain('expected a duration like 30s, 12m or 1h, got "5"');
    expect(duration.exitCode).toBe(2);
    expect(refusal(['--node-name', 'n'], { STRATA_AGENT_MASK_AUTO_UPDATES: 'yes' }).message).toBe(
      'STRATA_AGENT_MASK_AUTO_UPDATES: expected "true" or "false", got "yes"',
    );
    expect(refusal(['--node-name', 'n', '--log-level', 'loud']).message).toContain(
      'Allowed choices are debug, info, warn, error',
    );
  });

  it('prints the version and ends with exit code 0', () => {
    let out = '';
    const error = (() => {
      try {
        parseAgentConfig(['--version'], {}, (t) => {
          out += t;
        });
      } catch (e) {
        return e as ConfigError;
      }
    })();
    expect(error?.exitCode).toBe(0);
    expect(out).toMatch(/^strata-agent \d+\.\d+\.\d+\n$/);
  });

  it('parses durations with units only', () => {
    expect([
      parseDuration('500ms'),
      parseDuration('30s'),
      parseDuration('12m'),
      parseDuration('1.5h'),
    ]).toEqual([500, 30_000, 720_000, 5_400_000]);
    expect(() => parseDuration('0s')).toThrow('expected a duration above zero, got "0s"');
    expect(() => parseDuration('10')).toThrow('expected a duration like 30s, 12m or 1h, got "10"');
  });
});
