/**
 * The agent's log: one JSON object per line on stdout (`time`, `level`, `msg`, `node`, and fields), what
 * log collectors on a node parse without configuration.
 */

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  log(level: LogLevel, msg: string, fields?: Record<string, unknown>): void;
}

/** A JSON-lines logger writing entries at `level` and above. */
export function jsonLogger(options: {
  level?: LogLevel;
  fields?: Record<string, unknown>;
  write?: (line: string) => void;
  now?: () => number;
}): Logger {
  const min = ORDER[options.level ?? 'info'];
  const write = options.write ?? ((line: string) => process.stdout.write(line));
  const now = options.now ?? Date.now;
  return {
    log(level, msg, fields = {}) {
      if (ORDER[level] < min) return;
      write(
        `${JSON.stringify({ time: new Date(now()).toISOString(), level, msg, ...options.fields, ...fields })}\n`,
      );
    },
  };
}

/** Drops everything (the simulator's thousand agents, unless asked). */
export const silentLogger: Logger = { log() {} };
