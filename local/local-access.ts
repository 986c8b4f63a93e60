/**
 * Who may use the admin API of `strata start`: the access token (local/access-token.ts) and the guard
 * (local/admin-guard.ts) for the address the front is bound to. The token is required on every API request
 * when that address is reachable from other machines (anything but loopback), or when asked for
 * (`requireToken`); on loopback the Host, Origin and JSON rules keep web pages out, and the token, which
 * the CLI and the dashboard send anyway, is checked whenever it is presented.
 */
import { dataDirToken, newToken, publishServer } from './access-token.ts';
import { createAdminGuard, isLoopback, type RequestGuard, servedHosts } from './admin-guard.ts';

/** Options of {@link prepareLocalAccess}. */
export interface LocalAccessOptions {
  /** The bind address of the front. Default 127.0.0.1. */
  host?: string;
  /** The data directory: the token is kept in it across restarts. */
  dataDir?: string;
  /** Require the token on loopback too. */
  requireToken?: boolean;
  /** Further `Host` names admitted (e.g. the DNS name of this machine with `host` 0.0.0.0). */
  allowHosts?: readonly string[];
}

/** The access of a running Strata, as the CLI and `strata start` show it. */
export interface PublishedAccess {
  token: string;
  /** Where the token is (0600). */
  tokenFile: string;
  /** Whether API requests without the token are refused. */
  tokenRequired: boolean;
  /** Removes the record of this Strata (and a per-run token file); on a clean stop. */
  remove(): void;
}

/** The access of a Strata about to start. */
export interface LocalAccess {
  host: string;
  token: string;
  tokenRequired: boolean;
  guard: RequestGuard;
  /** Records the started front for the CLI (`<state>/servers/<port>.json`). */
  publish(url: string): PublishedAccess;
}

/**
 * Decides the access of a Strata about to start. Reads or creates the data directory's token.
 * @throws AccessTokenError when the data directory's token file cannot be used
 */
export function prepareLocalAccess(options: LocalAccessOptions = {}): LocalAccess {
  const host = options.host ?? '127.0.0.1';
  const kept = options.dataDir ? dataDirToken(options.dataDir) : null;
  const token = kept?.token ?? newToken();
  const tokenRequired = options.requireToken === true || !isLoopback(host);
  return {
    host,
    token,
    tokenRequired,
    guard: createAdminGuard({
      token,
      requireToken: tokenRequired,
      allowedHosts: servedHosts(host, options.allowHosts ?? []),
    }),
    publish: (url) => {
      const port = Number(new URL(url).port || 80);
      const published = publishServer({
        url,
        port,
        token,
        tokenRequired,
        ...(kept ? { tokenFile: kept.file } : {}),
      });
      return { token, tokenFile: published.tokenFile, tokenRequired, remove: published.remove };
    },
  };
}
