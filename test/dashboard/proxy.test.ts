/**
 * `strata dashboard`, as a child process. For a deployed Strata it serves the dashboard and forwards /v1
 * requests signed with SigV4: an HTTP server here stands in for API Gateway (which cannot run here), records
 * what reaches it, and the signature is checked by signing the received request again with the same key
 * and date. Requests without the per-run token, from another Host or Origin, or writes that are not JSON
 * never reach it. For a local Strata the command prints the dashboard's address.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer, type IncomingMessage, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Sha256 } from '../../bin/client/sigv4.ts';

const cli = fileURLToPath(new URL('../../bin/strata.ts', import.meta.url));
const KEY = { accessKeyId: 'AKIDSTRATATEST', secretAccessKey: 'strata-test-secret-key' };

interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** Signs the request the upstream received again, with the same key and date: equal iff the proxy signed it. */
async function expectedAuthorization(r: Received, port: number): Promise<string> {
  const url = new URL(r.url, `http://127.0.0.1:${port}`);
  const signedHeaders = /SignedHeaders=([^,]+)/.exec(String(r.headers.authorization))![1]!.split(';');
  const headers: Record<string, string> = {};
  for (const h of signedHeaders) headers[h] = String(r.headers[h]);
  const amzDate = String(r.headers['x-amz-date']);
  const date = new Date(
    `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`,
  );
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = v;
  const signer = new SignatureV4({
    service: 'execute-api',
    region: 'eu-west-1',
    credentials: KEY,
    sha256: Sha256,
  });
  const signed = await signer.sign(
    {
      method: r.method,
      protocol: 'http:',
      hostname: '127.0.0.1',
      port,
      path: url.pathname,
      query,
      headers,
      ...(r.body ? { body: r.body } : {}),
    },
    { signingDate: date },
  );
  return String(signed.headers.authorization);
}

/** Runs `strata …` without blocking this process (the stand-in API answers from it). */
function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const c = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    c.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
    });
    c.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
    });
    c.on('error', reject);
    c.on('close', (code) => resolve({ code, stdout: out, stderr: err }));
  });
}

/** A raw request to the proxy (any Host header, any body). */
function send(
  port: number,
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; body: string; headers: IncomingMessage['headers'] }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers: options.headers ?? {} },
      (res) => {
        let body = '';
        res.on('data', (c: Buffer) => {
          body += c.toString();
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

describe('strata dashboard', () => {
  let upstream: Server;
  let upstreamPort: number;
  const received: Received[] = [];
  let child: ChildProcess | undefined;
  let stdout = '';
  let exited: Promise<number | null>;

  beforeAll(async () => {
    upstream = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => {
        body += c.toString();
      });
      req.on('end', () => {
        received.push({ method: req.method!, url: req.url!, headers: req.headers, body });
        const missing = req.url!.startsWith('/v1/rollouts/nope');
        res.writeHead(missing ? 404 : 200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(missing ? { error: 'rollout nope: not found' } : { ok: true, path: req.url }));
      });
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    upstreamPort = (upstream.address() as AddressInfo).port;
    // Credentials from the environment only: no profile or SSO file of this machine is read.
    const home = mkdtempSync(join(tmpdir(), 'strata-home-'));
    child = spawn(
      process.execPath,
      [
        cli,
        'dashboard',
        '--url',
        `http://127.0.0.1:${upstreamPort}`,
        '--aws-region',
        'eu-west-1',
        '--port',
        '0',
      ],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          PATH: process.env.PATH,
          HOME: home,
          TMPDIR: process.env.TMPDIR,
          AWS_ACCESS_KEY_ID: KEY.accessKeyId,
          AWS_SECRET_ACCESS_KEY: KEY.secretAccessKey,
          AWS_CONFIG_FILE: join(home, 'none'),
          AWS_SHARED_CREDENTIALS_FILE: join(home, 'none'),
          AWS_EC2_METADATA_DISABLED: 'true',
        },
      },
    );
    exited = new Promise((resolve) => child!.on('close', (code) => resolve(code)));
    await new Promise<void>((resolve, reject) => {
      child!.stdout!.on('data', (d: Buffer) => {
        stdout += d.toString();
        if (stdout.includes('Ctrl-C to stop')) resolve();
      });
      child!.on('close', (code) => reject(new Error(`strata dashboard exited ${code}: ${stdout}`)));
    });
  }, 60_000);

  afterAll(async () => {
    if (child && child.exitCode === null) child.kill('SIGTERM');
    await exited;
    await new Promise((r) => upstream.close(r));
  });

  const proxied = () => {
    const match = /(http:\/\/127\.0\.0\.1:(\d+))\/#token=([A-Za-z0-9_-]+)/.exec(stdout);
    if (!match) throw new Error(`no URL printed: ${stdout}`);
    return { url: match[1]!, port: Number(match[2]), token: match[3]! };
  };

  it('prints the URL to open, with a per-run token in the fragment', () => {
    const { token } = proxied();
    expect(stdout).toContain(`for http://127.0.0.1:${upstreamPort} (requests signed for eu-west-1)`);
    expect(token.length).toBeGreaterThanOrEqual(32);
  });

  it('serves the dashboard page itself', async () => {
    const { port } = proxied();
    const page = await send(port, '/', { headers: { host: `127.0.0.1:${port}` } });
    expect(page.status).toBe(200);
    expect(page.body).toContain('<div id="app">');
    expect(received.filter((r) => r.url === '/')).toEqual([]);
  });

  it('forwards reads and JSON writes signed with SigV4 for execute-api, without the page token', async () => {
    const { port, token } = proxied();
    const before = received.length;
    const read = await send(port, '/v1/rollouts?track=demo%20one', {
      headers: { host: `127.0.0.1:${port}`, authorization: `Bearer ${token}`, cookie: 'a=b' },
    });
    const write = await send(port, '/v1/rollouts/demo-1/pause', {
      method: 'POST',
      headers: {
        host: `localhost:${port}`,
        origin: `http://localhost:${port}`,
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
      },
      body: '{"why":"test"}',
    });
    expect(read.status).toBe(200);
    expect(JSON.parse(read.body)).toEqual({ ok: true, path: '/v1/rollouts?track=demo%20one' });
    expect(write.status).toBe(200);
    const [r, w] = received.slice(before);
    expect(r!.method).toBe('GET');
    expect(w!.method).toBe('POST');
    expect(w!.body).toBe('{"why":"test"}');
    expect(w!.headers['content-type']).toBe('application/json');
    for (const got of [r!, w!]) {
      expect(got.headers.authorization).toMatch(
        /^AWS4-HMAC-SHA256 Credential=AKIDSTRATATEST\/\d{8}\/eu-west-1\/execute-api\/aws4_request, /,
      );
      expect(got.headers.authorization).toBe(await expectedAuthorization(got, upstreamPort));
      expect(JSON.stringify(got.headers)).not.toContain(token);
      expect(got.headers.cookie).toBeUndefined();
    }
  });

  it("passes the API's error answers through", async () => {
    const { port, token } = proxied();
    const answer = await send(port, '/v1/rollouts/nope', {
      headers: { host: `127.0.0.1:${port}`, authorization: `Bearer ${token}` },
    });
    expect(answer.status).toBe(404);
    expect(JSON.parse(answer.body)).toEqual({ error: 'rollout nope: not found' });
  });

  it('refuses, without forwarding, requests without the token, from another Host or Origin, and non-JSON writes', async () => {
    const { port, token } = proxied();
    const host = `127.0.0.1:${port}`;
    const before = received.length;
    const cases: [string, Parameters<typeof send>[2], number][] = [
      ['no token', { headers: { host } }, 401],
      ['wrong token', { headers: { host, authorization: `Bearer ${token}x` } }, 401],
      ['rebound host', { headers: { host: 'evil.example', authorization: `Bearer ${token}` } }, 421],
      [
        'foreign origin',
        { headers: { host, origin: 'http://evil.example', authorization: `Bearer ${token}` } },
        403,
      ],
      [
        'text/plain write',
        {
          method: 'POST',
          headers: { host, authorization: `Bearer ${token}`, 'content-type': 'text/plain' },
          body: '{}',
        },
        415,
      ],
    ];
    for (const [what, options, status] of cases) {
      const answer = await send(port, '/v1/rollouts/demo-1/pause', options);
      expect({ what, status: answer.status }).toEqual({ what, status });
      expect(JSON.parse(answer.body).message).toBeTruthy();
    }
    const page = await send(port, '/', { headers: { host: 'evil.example' } });
    expect(page.status).toBe(421);
    expect(received.length).toBe(before);
  });

  it('stops on SIGTERM', async () => {
    child!.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stdout.trimEnd().endsWith('stopped')).toBe(true);
  });

  it("for a local Strata prints the dashboard's address, and fails when nothing answers", async () => {
    const local = await run(['dashboard', '--url', `http://127.0.0.1:${upstreamPort}`]);
    expect(local.code).toBe(0);
    expect(local.stdout.trim()).toBe(`Strata dashboard: http://127.0.0.1:${upstreamPort}/`);
    const none = await run(['dashboard', '--url', 'http://127.0.0.1:1']);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('no Strata at http://127.0.0.1:1');
  });
});
