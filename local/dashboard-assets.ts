/**
 * The web dashboard's files at the root of the admin address: `GET /` (the page) and `GET /assets/{file}`
 * (its content-hashed script and style), read from the built dashboard (dashboard/build.ts writes
 * dashboard/dist). Only plain file names under `assets/` with a known type are served: no directory, no
 * `..`, no dotfile. The page is revalidated on every load, hashed assets are cached for a year. A
 * Content-Security-Policy keeps the page to its own origin (scripts, styles, API calls) and out of frames.
 */
import { readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { HttpRoute } from './http-front.ts';

/** Where `npm run dashboard:build` writes the dashboard. */
export const DASHBOARD_DIST = fileURLToPath(new URL('../dashboard/dist', import.meta.url));

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};

/** A plain file name: letters, digits, `-`, `_`, `.`, not starting with a dot. */
const FILE_NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

function text(
  statusCode: number,
  body: string,
  type = 'text/plain; charset=utf-8',
): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode,
    headers: { 'content-type': type, 'cache-control': 'no-store', ...SECURITY_HEADERS },
    body,
  };
}

async function readOrNull(file: string): Promise<Buffer | null> {
  try {
    return await readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR') return null;
    throw error;
  }
}

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Strata: dashboard not built</title></head>
<body><main><h1>The dashboard is not built</h1>
<p>Run <code>npm run dashboard:build</code> (<code>npm start</code> and <code>npm test</code> build it first), then reload.
The admin API is served under <a href="/v1/health">/v1</a> meanwhile.</p></main></body></html>
`;

/** The routes serving the dashboard built in `dir` (default {@link DASHBOARD_DIST}). */
export function dashboardRoutes(dir: string = DASHBOARD_DIST): HttpRoute[] {
  return [
    {
      routeKey: 'GET /',
      handler: async () => {
        const page = await readOrNull(join(dir, 'index.html'));
        if (!page) return text(503, NOT_BUILT, 'text/html; charset=utf-8');
        return {
          statusCode: 200,
          // Revalidated on every load, so a rebuilt dashboard is picked up; the assets it names are immutable.
          headers: {
            'content-type': 'text/html; charset=utf-8',
            'cache-control': 'no-cache',
            ...SECURITY_HEADERS,
          },
          body: page.toString('utf8'),
        };
      },
    },
    {
      routeKey: 'GET /assets/{file}',
      handler: async (event) => {
        const name = event.pathParameters?.file ?? '';
        const type = TYPES[extname(name)];
        if (!FILE_NAME.test(name) || !type) return text(404, `no such asset: ${name}`);
        const body = await readOrNull(join(dir, 'assets', name));
        if (!body) return text(404, `no such asset: ${name}`);
        return {
          statusCode: 200,
          headers: {
            'content-type': type,
            // Names carry a hash of the content: a changed file is a new name.
            'cache-control': 'public, max-age=31536000, immutable',
            ...SECURITY_HEADERS,
          },
          body: body.toString('base64'),
          isBase64Encoded: true,
        };
      },
    },
  ];
}
