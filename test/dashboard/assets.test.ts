/**
 * The dashboard's build and its static route on the real HTTP front: the page and its hashed assets with
 * their types and cache headers, nothing outside `assets/` (encoded `..`, dotfiles, unknown types), and a
 * clear answer when the dashboard is not built.
 */

import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDashboard, type DashboardBuild } from '../../dashboard/build.ts';
import { dashboardRoutes } from '../../local/dashboard-assets.ts';
import { type HttpFront, startHttpFront } from '../../local/http-front.ts';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A GET with the path sent exactly as given (fetch would normalise `..` before sending). */
function get(front: HttpFront, path: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: front.port, path, method: 'GET' }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

describe('dashboard build and static route', () => {
  let dir: string;
  let built: DashboardBuild;
  let front: HttpFront;
  let empty: HttpFront;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dashboard-'));
    built = await buildDashboard(join(dir, 'dist'));
    // A file beside the served folder that no request may reach.
    writeFileSync(join(dir, 'secret.js'), 'SECRET-CONTENT');
    writeFileSync(join(dir, 'dist', 'assets', '.hidden.js'), 'HIDDEN-CONTENT');
    writeFileSync(join(dir, 'dist', 'assets', 'tool.exe'), 'BINARY-CONTENT');
    mkdirSync(join(dir, 'unbuilt'));
    front = await startHttpFront({ routes: dashboardRoutes(join(dir, 'dist')) });
    empty = await startHttpFront({ routes: dashboardRoutes(join(dir, 'unbuilt')) });
  });

  afterAll(async () => {
    await front?.close();
    await empty?.close();
  });

  it('builds a page that names its content-hashed script and style', () => {
    const paths = built.files.map((f) => f.path);
    expect(paths[0]).toBe('index.html');
    const script = paths.find((p) => /^assets\/app-[A-Z0-9]+\.js$/.test(p));
    const style = paths.find((p) => /^assets\/app-[A-Z0-9]+\.css$/.test(p));
    expect(script).toBeDefined();
    expect(style).toBeDefined();
    const html = readFileSync(join(dir, 'dist', 'index.html'), 'utf8');
    expect(html).toContain(`<script type="module" src="/${script}"></script>`);
    expect(html).toContain(`<link rel="stylesheet" href="/${style}">`);
    // Nothing of the server side is bundled: the admin API's types are imported as types only.
    const js = readFileSync(join(dir, 'dist', script!), 'utf8');
    expect(js).not.toMatch(/@aws-sdk|DynamoDB|node:crypto/);
  });

  it('serves the page, revalidated on each load, with a same-origin content security policy', async () => {
    const page = await get(front, '/');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['cache-control']).toBe('no-cache');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['content-security-policy']).toContain("connect-src 'self'");
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.body.toString()).toContain('<div id="app">');
  });

  it('serves hashed assets with their types, cached for a year, byte for byte', async () => {
    for (const f of built.files.filter((x) => x.path.startsWith('assets/'))) {
      const answer = await get(front, `/${f.path}`);
      expect(answer.status).toBe(200);
      expect(answer.headers['content-type']).toBe(
        f.path.endsWith('.js') ? 'text/javascript; charset=utf-8' : 'text/css; charset=utf-8',
      );
      expect(answer.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(answer.body.equals(readFileSync(join(dir, 'dist', f.path)))).toBe(true);
    }
  });

  it('serves nothing outside assets/, no dotfile, no unknown type, no missing file', async () => {
    for (const path of [
      '/assets/..%2F..%2Fsecret.js',
      '/assets/%2e%2e%2f%2e%2e%2fsecret.js',
      '/assets/../../secret.js',
      '/secret.js',
      '/assets/.hidden.js',
      '/assets/tool.exe',
      '/assets/app-MISSING.js',
      '/assets/sub/app.js',
      '/assets/',
      '/index.html',
    ]) {
      const answer = await get(front, path);
      // A literal `..` segment is refused by the front itself (400), before any route sees it.
      expect({ path, status: answer.status }).toEqual({ path, status: path.includes('/../') ? 400 : 404 });
      expect(answer.body.toString()).not.toMatch(/SECRET-CONTENT|HIDDEN-CONTENT|BINARY-CONTENT/);
    }
  });

  it('says how to build the dashboard when it is not built', async () => {
    const page = await get(empty, '/');
    expect(page.status).toBe(503);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.body.toString()).toContain('npm run dashboard:build');
  });
});
