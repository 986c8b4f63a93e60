/**
 * The agent's command line and environment (flags win over the environment): which node, the per-state
 * timeouts, the poll interval, whether to mask the host's auto-updaters, where the host root is mounted,
 * the log level. Bad input is a {@link ConfigError} naming the flag (or variable) and the value.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import type { LogLevel } from './log.ts';
import { DEFAULT_TIMEOUTS, type Timeouts } from './state-machine.ts';
import { AGENT_VERSION } from './version.ts';

export interface AgentConfig {
  nodeName: string;
  timeouts: Timeouts;
  pollIntervalMs: number;
  maskAutoUpdates: boolean;
  hostRoot: string;
  logLevel: LogLevel;
  kubeconfig: string | undefined;
}

/** The command line could not be used; `exitCode` 0 for --help/--version. */
export class ConfigError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode = 2) {
    super(message);
    this.name = 'ConfigError';
    this.exitCode = exitCode;
  }
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `500ms`, `30s`, `12m`, `1h` → ms. */
export function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(text.trim());
  if (!match) throw new InvalidArgumentError(`expected a duration like 30s, 12m or 1h, got "${text}"`);
  const ms = Number(match[1]) * UNIT_MS[match[2]!]!;
  if (ms <= 0) throw new InvalidArgumentError(`expected a duration above zero, got "${text}"`);
  return ms;
}

const duration = (flag: string, env: string, description: string, fallbackMs: number) =>
  new Option(`${flag} <duration>`, description)
    .env(env)
    .argParser(parseDuration)
    .default(fallbackMs, `${fallbackMs / 1000}s`);

/**
 * Parses the agent's arguments (`argv` without node and script) and environment.
 * @throws ConfigError for bad input, and for --help/--version (exit code 0, text already printed).
 */
export function parseAgentConfig(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  write: (text: string) => void = (t) => process.stdout.write(t),
): AgentConfig {
  const program = new Command('strata-agent')
    .description(
      "Strata's node agent: stages, reboots into and verifies the image the control plane asks for.",
    )
    .version(`strata-agent ${AGENT_VERSION}`, '--version')
    .addOption(new Option('--node-name <name>', 'this node (from the downward API)').env('NODE_NAME'))
    .addOption(
      duration(
        '--staging-timeout',
        'STRATA_AGENT_STAGING_TIMEOUT',
        'time to stage an image',
        DEFAULT_TIMEOUTS.stagingMs,
      ),
    )
    .addOption(
      duration(
        '--reboot-timeout',
        'STRATA_AGENT_REBOOT_TIMEOUT',
        'time for the host to restart',
        DEFAULT_TIMEOUTS.rebootMs,
      ),
    )
    .addOption(
      duration(
        '--verify-timeout',
        'STRATA_AGENT_VERIFY_TIMEOUT',
        'time after the boot to verify the image and see the node Ready',
        DEFAULT_TIMEOUTS.verifyMs,
      ),
    )
    .addOption(
      duration(
        '--poll-interval',
        'STRATA_AGENT_POLL_INTERVAL',
        'how often to look at the host while idle',
        60_000,
      ),
    )
    .addOption(new Option('--no-mask-auto-updates', "leave the host's auto-update timers alone"))
    .addOption(
      new Option('--host-root <dir>', "where the host's root filesystem is mounted")
        .env('STRATA_AGENT_HOST_ROOT')
        .default('/host'),
    )
    .addOption(
      new Option('--log-level <level>', 'log level')
        .choices(['debug', 'info', 'warn', 'error'])
        .env('STRATA_AGENT_LOG_LEVEL')
        .default('info'),
    )
    .addOption(new Option('--kubeconfig <file>', 'a kubeconfig, outside a pod').env('KUBECONFIG'))
    .exitOverride()
    .configureOutput({ writeOut: write, writeErr: () => {}, outputError: () => {} });
  // Commander reads the environment from process.env: hand it the given one for the parse.
  const saved = process.env;
  process.env = { ...env };
  try {
    program.parse([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError)
      throw new ConfigError(error.message.replace(/^error: /, ''), error.exitCode === 0 ? 0 : 2);
    throw error;
  } finally {
    process.env = saved;
  }
  const o = program.opts<{
    nodeName?: string;
    stagingTimeout: number;
    rebootTimeout: number;
    verifyTimeout: number;
    pollInterval: number;
    maskAutoUpdates: boolean;
    hostRoot: string;
    logLevel: LogLevel;
    kubeconfig?: string;
  }>();
  const maskEnv = env.STRATA_AGENT_MASK_AUTO_UPDATES;
  if (maskEnv !== undefined && !['true', 'false'].includes(maskEnv))
    throw new ConfigError(`STRATA_AGENT_MASK_AUTO_UPDATES: expected "true" or "false", got "${maskEnv}"`);
  if (!o.nodeName)
    throw new ConfigError('no node name: pass --node-name or set NODE_NAME (spec.nodeName, downward API)');
  return {
    nodeName: o.nodeName,
    timeouts: { stagingMs: o.stagingTimeout, rebootMs: o.rebootTimeout, verifyMs: o.verifyTimeout },
    pollIntervalMs: o.pollInterval,
    maskAutoUpdates: o.maskAutoUpdates && maskEnv !== 'false',
    hostRoot: o.hostRoot,
    logLevel: o.logLevel,
    kubeconfig: o.kubeconfig,
  };
}
