/**
 * The admin API client's SigV4 signing (`--aws-region`), as API Gateway checks it: a loopback server
 * recomputes each received request's signature from what actually arrived (method, host, path, query,
 * signed headers, body) with the same credentials and answers 403 when it differs.
 */
import { spawn } from 'node:child_process';
import { createHash, createHmac } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const cli = fileURLToPath(new URL('../../bin/strata.ts', import.meta.url));
const credentials = { id: 'AKIDSTRATATEST', secret: 'c2VjcmV0LWtleS1mb3ItdGVzdHM' };
let server: Server;
let url: string;
const seen: { method: string; path: string; verified: boolean; authorization: string }[] = [];

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();

/** The SigV4 signature of a received request, computed from the AWS documentation's steps. */
function expectedSignature(
  req: IncomingMessage,
  body: Buffer,
  signedHeaders: string[],
  scope: string,
): string {
  const u = new URL(req.url!, 'http://x');
  const query = [...u.searchParams]
    .map(([k, v]) => [encodeURIComponent(k), encodeURIComponent(v)])
    .sort(([a], [b]) => (a! < b! ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const headers = signedHeaders.map((h) => `${h}:${String(req.headers[h]).trim()}\n`).join('');
  const canonical = [req.method, u.pathname, query, headers, signedHeaders.join(';'), sha256(body)].join(
    '\n',
  );
  const amzDate = String(req.headers['x-amz-date']);
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n');
  const [date, region, service] = scope.split('/');
  const key = hmac(hmac(hmac(hmac(`AWS4${credentials.secret}`, date!), region!), service!), 'aws4_request');
  return createHmac('sha256', key).update(toSign).digest('hex');
}

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], {
      env: {
        ...process.env,
        AWS_ACCESS_KEY_ID: credentials.id,
        AWS_SECRET_ACCESS_KEY: credentials.secret,
        AWS_SESSION_TOKEN: '',
        AWS_PROFILE: '',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const authorization = String(req.headers.authorization ?? '');
      const m =
        /^AWS4-HMAC-SHA256 Credential=([^/]+)\/([^,]+), SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(
          authorization,
        );
      const verified =
        m !== null &&
        m[1] === credentials.id &&
        m[3]!.split(';').includes('host') &&
        expectedSignature(req, body, m[3]!.split(';'), m[2]!) === m[4];
      seen.push({ method: req.method!, path: req.url!, verified, authorization });
      res.writeHead(verified ? 200 : 403, { 'content-type': 'application/json' });
      const answer = req.url!.startsWith('/v1/tracks/')
        ? { changed: true, created: true, version: 1 }
        : { items: [] };
      res.end(
        JSON.stringify(verified ? answer : { message: 'The request signature we calculated does not match' }),
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((r) => server.close(r));
});

describe('admin API client with --aws-region', () => {
  it('signs GET requests with query strings for execute-api in the region', async () => {
    const out = await run([
      'get',
      'pools',
      '--cluster',
      'prod eu/1',
      '--url',
      url,
      '--aws-region',
      'eu-west-1',
    ]);
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    expect(out.stdout).toBe('No resources found.\n');
    const last = seen.at(-1)!;
    expect(last.verified).toBe(true);
    expect(last.path).toBe('/v1/pools?cluster=prod%20eu%2F1');
    expect(last.authorization).toMatch(
      /Credential=AKIDSTRATATEST\/\d{8}\/eu-west-1\/execute-api\/aws4_request/,
    );
  });

  it('signs requests with a body', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'strata-sigv4-')), 'track.yaml');
    writeFileSync(file, 'name: signed\nimage: quay.io/acme/rhcos:signed\n');
    const out = await run(['track', 'apply', '-f', file, '--url', url, '--aws-region', 'eu-west-1']);
    expect(out.stdout).toBe('track/signed created\n');
    expect(seen.at(-1)).toMatchObject({ method: 'PUT', path: '/v1/tracks/signed', verified: true });
  });

  it('is refused without signing (the server demands it)', async () => {
    const out = await run(['get', 'pools', '--url', url]);
    expect(out.code).toBe(1);
    expect(out.stderr).toContain('403 The request signature we calculated does not match');
  });
});
