/**
 * The local access token of `strata start`: a random secret that admits requests to the admin API, kept in
 * a file only its owner can read, and found again by the `strata` CLI on the same machine.
 *
 * - With `--data-dir DIR` the token is `DIR/access-token`, created once and kept across restarts (a
 *   dashboard tab or a script keeps working; delete the file to get a new one).
 * - Without, a new token per run, in `<state>/servers/<port>.token`.
 * - Either way `<state>/servers/<port>.json` says which Strata serves that port and where its token is, so
 *   that the CLI finds the token from nothing but the URL it talks to. `<state>` is `$STRATA_STATE_DIR`,
 *   else `$XDG_STATE_HOME/strata`, else `~/.local/state/strata`; its directories are 0700, the files 0600.
 *
 * Only node:fs, node:os, node:path and node:crypto: the CLI loads this on every command.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

/** An access token file that cannot be used (unreadable, open to others, malformed). */
export class AccessTokenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AccessTokenError';
  }
}

/** The token file's name inside a data directory. */
export const TOKEN_FILE = 'access-token';

const TOKEN = /^[A-Za-z0-9_-]{32,256}$/;

/** The per-user state directory (see the module comment). */
export function stateDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.STRATA_STATE_DIR) return resolve(env.STRATA_STATE_DIR);
  if (env.XDG_STATE_HOME) return join(resolve(env.XDG_STATE_HOME), 'strata');
  return join(homedir(), '.local', 'state', 'strata');
}

/** A fresh token: 32 random bytes, base64url. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Writes `text` to `file` readable by its owner only, replacing it atomically (never a half-written token). */
function writePrivate(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, text, { mode: 0o600, flag: 'w' });
  chmodSync(temporary, 0o600); // the mode of writeFileSync applies only to a file it creates
  renameSync(temporary, file);
}

/**
 * Reads a token file.
 * @throws AccessTokenError naming the file when it is open to other users or does not hold a token
 */
export function readTokenFile(file: string): string {
  const mode = statSync(file).mode & 0o777;
  if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
    throw new AccessTokenError(
      `${file}: readable by other users (mode ${mode.toString(8).padStart(4, '0')}): chmod 600 it, or delete it for a new token`,
    );
  }
  const token = readFileSync(file, 'utf8').trim();
  if (!TOKEN.test(token)) {
    throw new AccessTokenError(
      `${file}: not an access token (32-256 letters, digits, "-" or "_"): delete it for a new one`,
    );
  }
  return token;
}

/** The token of a data directory: read from `DIR/access-token`, or created there. */
export function dataDirToken(dataDir: string): { token: string; file: string } {
  const file = join(resolve(dataDir), TOKEN_FILE);
  try {
    return { token: readTokenFile(file), file };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const token = newToken();
  writePrivate(file, `${token}\n`);
  return { token, file };
}

/** What `<state>/servers/<port>.json` records about a running Strata. */
export interface ServerRecord {
  url: string;
  pid: number;
  tokenFile: string;
  /** Whether the admin API refuses requests without the token. */
  tokenRequired: boolean;
}

function recordFile(port: number, env: NodeJS.ProcessEnv): string {
  return join(stateDir(env), 'servers', `${port}.json`);
}

/**
 * Records a running Strata for the CLI (and writes a per-run token file when there is no data directory).
 * @returns the token file and a function that removes what was written (on a clean stop).
 */
export function publishServer(
  options: { url: string; port: number; token: string; tokenFile?: string; tokenRequired: boolean },
  env: NodeJS.ProcessEnv = process.env,
): { tokenFile: string; remove(): void } {
  const own = options.tokenFile === undefined;
  const tokenFile = options.tokenFile ?? join(stateDir(env), 'servers', `${options.port}.token`);
  if (own) writePrivate(tokenFile, `${options.token}\n`);
  const record: ServerRecord = {
    url: options.url,
    pid: process.pid,
    tokenFile,
    tokenRequired: options.tokenRequired,
  };
  const file = recordFile(options.port, env);
  writePrivate(file, `${JSON.stringify(record, null, 2)}\n`);
  return {
    tokenFile,
    remove: () => {
      // Only what is still ours: another Strata may have taken the port (and the files) since.
      try {
        const current = JSON.parse(readFileSync(file, 'utf8')) as ServerRecord;
        if (current.pid !== process.pid) return;
      } catch {
        return;
      }
      rmSync(file, { force: true });
      if (own) rmSync(tokenFile, { force: true });
    },
  };
}

const LOOPBACK_URL_HOST = /^(localhost|127\.\d{1,3}\.\d{1,3}\.\d{1,3}|\[::1\])$/i;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The access token for a Strata at `url`: `STRATA_TOKEN` when set; else, for a loopback URL only (a token
 * is never sent to another machine unasked), the token of the Strata recorded for that port, if it runs.
 */
export function findAccessToken(url: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.STRATA_TOKEN) return env.STRATA_TOKEN.trim();
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.protocol !== 'http:' || !LOOPBACK_URL_HOST.test(parsed.hostname)) return undefined;
  const port = Number(parsed.port || 80);
  try {
    const record = JSON.parse(readFileSync(recordFile(port, env), 'utf8')) as Partial<ServerRecord>;
    if (typeof record.pid !== 'number' || typeof record.tokenFile !== 'string' || !alive(record.pid))
      return undefined;
    return readTokenFile(record.tokenFile);
  } catch {
    return undefined;
  }
}
