/**
 * `strata dashboard`: opens the web dashboard of a running Strata.
 *
 * - A local Strata (`strata start`) serves the dashboard itself at the root of its admin address: the
 *   command checks that Strata answers and prints (with `--open`, opens) that address, with the local access
 *   token in the fragment when it finds one (the page sends it with every API call; the fragment never
 *   leaves the browser).
 * - A deployed Strata answers only SigV4-signed requests (the HTTP API's IAM authorisation), which a browser
 *   cannot make. With `--aws-region` the command serves the dashboard on 127.0.0.1 and forwards each `/v1`
 *   request to the deployed API, signed with the operator's AWS credentials (the CLI's own signing), so the
 *   dashboard has exactly the CLI's authorisation and no credential reaches the page. Because the proxy
 *   signs whatever reaches it, it admits only what the dashboard sends: a per-run access token
 *   (`Authorization: Bearer`, handed to the page in the URL fragment), its own `Host` (no DNS rebinding),
 *   no foreign `Origin`, JSON bodies on writes (no cross-site form posts): the rules of a local Strata's
 *   admin API (local/admin-guard.ts), with the token always required.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { findAccessToken } from '../../local/access-token.ts';
import { CliError, EXIT_USAGE } from '../cli-error.ts';
import { type ConnectionOptions, createAdminClient, resolveUrl } from '../client/index.ts';
import type { CredentialsProvider } from '../client/sigv4.ts';

interface DashboardOptions extends ConnectionOptions {
  port: string;
  open?: boolean;
}

/** Options of {@link startDashboardProxy}. */
export interface DashboardProxyOptions {
  /** The deployed API's base URL (without `/v1`). */
  upstream: string;
  region: string;
  credentials: CredentialsProvider;
  /** Port on 127.0.0.1 (0: a free one). */
  port: number;
  /** The built dashboard (default dashboard/dist). */
  assetsDir?: string;
  /** The access token the page must present; default a fresh random one. */
  token?: string;
  timeoutMs?: number;
}

/** A running proxy. */
export interface DashboardProxy {
  /** `http://127.0.0.1:PORT`. */
  url: string;
  /** What to open: the URL with the token in its fragment. */
  openUrl: string;
  close(): Promise<void>;
}

type Result = APIGatewayProxyStructuredResultV2;

function refuse(statusCode: number, error: string): Result {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
    body: JSON.stringify({ error }),
  };
}

/** Starts the signing proxy that serves the dashboard for a deployed Strata. */
export async function startDashboardProxy(options: DashboardProxyOptions): Promise<DashboardProxy> {
  const [{ startHttpFront }, { dashboardRoutes }, { signRequest }, { createAdminGuard }] = await Promise.all([
    import('../../local/http-front.ts'),
    import('../../local/dashboard-assets.ts'),
    import('../client/sigv4.ts'),
    import('../../local/admin-guard.ts'),
  ]);
  const token = options.token ?? randomBytes(24).toString('base64url');
  const timeoutMs = options.timeoutMs ?? 30_000;

  // Checked by the front before anything is served or signed; the token always, every path guarded.
  const guard = createAdminGuard({
    token,
    requireToken: true,
    allowedHosts: (port) => [`127.0.0.1:${port}`, `localhost:${port}`],
    exempt: () => false,
  });

  const forward = async (event: APIGatewayProxyEventV2): Promise<Result> => {
    const method = event.requestContext.http.method.toUpperCase();
    const url = new URL(
      `${options.upstream}${event.rawPath}${event.rawQueryString ? `?${event.rawQueryString}` : ''}`,
    );
    const body =
      event.body === undefined
        ? undefined
        : event.isBase64Encoded
          ? Buffer.from(event.body, 'base64').toString('utf8')
          : event.body;
    // Only what the admin API reads goes on: the page's token and cookies stay here.
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    let signed: Record<string, string>;
    try {
      signed = await signRequest(
        { method, url, headers, ...(body !== undefined ? { body } : {}) },
        options.region,
        options.credentials,
      );
    } catch (error) {
      return refuse(502, `cannot sign the request for ${options.region}: ${(error as Error).message}`);
    }
    delete signed.host; // fetch sets it
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: signed,
        ...(body !== undefined ? { body } : {}),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
      return refuse(502, `cannot reach ${options.upstream} (${cause})`);
    }
    return {
      statusCode: response.status,
      headers: {
        'content-type': response.headers.get('content-type') ?? 'application/json',
        'cache-control': 'no-store',
      },
      body: await response.text(),
    };
  };

  const front = await startHttpFront({
    port: options.port,
    host: '127.0.0.1',
    guard,
    routes: [...dashboardRoutes(options.assetsDir), { routeKey: 'ANY /v1/{proxy+}', handler: forward }],
  });
  return {
    url: front.url,
    openUrl: `${front.url}/#token=${token}`,
    close: () => front.close(),
  };
}

/** Opens `url` in the desktop's browser; says so when there is none. */
function openInBrowser(url: string): void {
  const [command, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['cmd', ['/c', 'start', '""', url]]
        : ['xdg-open', [url]];
  const child = spawn(command, args, { stdio: 'ignore', detached: true });
  child.on('error', (error) =>
    process.stderr.write(`strata: cannot open a browser (${error.message}); open the URL above\n`),
  );
  child.unref();
}

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    throw new CliError(`--port: expected an integer 0..65535, got "${value}"`, EXIT_USAGE);
  }
  return n;
}

/** Builds the dashboard when this checkout has not built it yet (`npm start` and `npm test` build it). */
async function ensureBuilt(dir: string): Promise<void> {
  if (existsSync(join(dir, 'index.html'))) return;
  try {
    const { buildDashboard } = await import('../../dashboard/build.ts');
    await buildDashboard(dir);
  } catch (error) {
    throw new CliError(`the dashboard is not built and building it failed: ${(error as Error).message}`);
  }
}

/** `strata dashboard`: prints (or opens) the dashboard's address, or serves the signing proxy. */
export async function dashboard(options: DashboardOptions): Promise<void> {
  const write = (line: string) => process.stdout.write(`${line}\n`);
  const base = resolveUrl(options.url);
  const listenPort = port(options.port);
  if (!options.awsRegion) {
    // A local Strata serves the dashboard itself; its access token, when this machine has it, goes along.
    const token = findAccessToken(base);
    await createAdminClient({ url: base, ...(token ? { token } : {}) }).get('/health');
    const url = `${base}/${token ? `#token=${token}` : ''}`;
    write(`Strata dashboard: ${url}`);
    if (options.open) openInBrowser(url);
    return;
  }
  const { defaultProvider } = await import('@aws-sdk/credential-provider-node');
  const credentials = defaultProvider();
  try {
    await credentials();
  } catch (error) {
    throw new CliError(`--aws-region ${options.awsRegion}: no AWS credentials: ${(error as Error).message}`);
  }
  const { DASHBOARD_DIST } = await import('../../local/dashboard-assets.ts');
  await ensureBuilt(DASHBOARD_DIST);
  let proxy: DashboardProxy;
  try {
    proxy = await startDashboardProxy({
      upstream: base,
      region: options.awsRegion,
      credentials,
      port: listenPort,
    });
  } catch (error) {
    if ((error as { code?: string }).code === 'EADDRINUSE') {
      throw new CliError(`--port ${listenPort}: already in use; pass --port N or --port 0`);
    }
    throw error;
  }
  write(`Strata dashboard for ${base} (requests signed for ${options.awsRegion}): ${proxy.openUrl}`);
  write('keep the URL to yourself: its token admits requests to the proxy; Ctrl-C to stop');
  if (options.open) openInBrowser(proxy.openUrl);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await proxy.close();
  write('stopped');
}
