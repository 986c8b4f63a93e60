/**
 * HTTP fuzzing over raw sockets: a corpus of malformed requests (request lines, targets, percent-encodings,
 * headers, framing, bodies) and seeded mutations of well-formed ones, each sent on its own connection as
 * bytes no HTTP client would produce, and the answer's status line read back. Used against the embedded
 * runtime's front (admin, webhooks, dashboard) and the simulator's API servers.
 */
import { connect as tcpConnect } from 'node:net';
import type { Duplex } from 'node:stream';
import { connect as tlsConnect } from 'node:tls';
import { Prng } from '../../sim/prng.ts';

/** What a case must be answered with: a 4xx, any answer below 500, or possibly nothing (a cut connection). */
export type Expectation = '4xx' | 'not-5xx' | 'maybe-silent';

/** One fuzz input. `{HOST}` in `bytes` is replaced by the target's own `host:port`. */
export interface FuzzCase {
  name: string;
  bytes: string | Buffer;
  expect: Expectation;
}

/** Where to send: plain TCP, or TLS trusting `ca`. */
export interface FuzzTarget {
  host: string;
  port: number;
  tls?: { ca: Buffer };
}

/** The answer to one case: the status (null when the connection closed without one) and the raw text. */
export interface FuzzAnswer {
  status: number | null;
  text: string;
}

/** Sends `bytes` on a new connection and reads until the server closes it (or `timeoutMs` passes). */
export function exchange(target: FuzzTarget, bytes: string | Buffer, timeoutMs = 3000): Promise<FuzzAnswer> {
  const payload = Buffer.isBuffer(bytes)
    ? Buffer.from(bytes.toString('latin1').replaceAll('{HOST}', `${target.host}:${target.port}`), 'latin1')
    : Buffer.from(bytes.replaceAll('{HOST}', `${target.host}:${target.port}`), 'latin1');
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let settled = false;
    const done = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const text = Buffer.concat(chunks).toString('latin1');
      const status = /^HTTP\/1\.[01] (\d{3}) /.exec(text);
      resolve({ status: status ? Number(status[1]) : null, text });
    };
    const socket: Duplex = target.tls
      ? tlsConnect({ host: target.host, port: target.port, ca: target.tls.ca, servername: 'localhost' }, () =>
          socket.write(payload),
        )
      : tcpConnect({ host: target.host, port: target.port }, () => socket.write(payload));
    const timer = setTimeout(done, timeoutMs);
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
    });
    socket.on('end', done);
    socket.on('close', done);
    // A reset after the answer is normal for refused requests (the server drops the rest unread).
    socket.on('error', done);
  });
}

const CRLF = '\r\n';

/** A request with the given parts; `Connection: close` so that the server ends the exchange. */
export function request(
  method: string,
  target: string,
  headers: string[] = [],
  body = '',
  version = 'HTTP/1.1',
): string {
  const all = ['Host: {HOST}', 'Connection: close', ...headers];
  if (body !== '' && !headers.some((h) => /^(content-length|transfer-encoding):/i.test(h)))
    all.push(`Content-Length: ${Buffer.byteLength(body, 'latin1')}`);
  return `${method} ${target} ${version}${CRLF}${all.join(CRLF)}${CRLF}${CRLF}${body}`;
}

/**
 * The fixed corpus for a server whose paths live under `prefixes` (e.g. `/v1/`, `/hooks/github`):
 * malformed request targets and encodings under each prefix, broken request lines, headers and framing.
 */
export function malformedCorpus(prefixes: readonly string[], extraHeaders: string[] = []): FuzzCase[] {
  const h = extraHeaders;
  const cases: FuzzCase[] = [];
  const add = (name: string, bytes: string | Buffer, expect: Expectation = '4xx') =>
    cases.push({ name, bytes, expect });

  // Request targets.
  add('target //', request('GET', '//', h));
  add('target ///', request('POST', '///', h, '{}'));
  add('asterisk form', request('GET', '*', h));
  add('OPTIONS *', request('OPTIONS', '*', h));
  add('absolute form', request('GET', 'http://evil.example/v1/health', h));
  add('authority form', request('GET', 'evil.example:80', h));
  add('no leading slash', request('GET', 'v1/health', h));
  add('lone %', request('GET', '/%', h));
  add('fragment', request('GET', '/v1/health#x', h), 'not-5xx');
  for (const prefix of prefixes) {
    const p = prefix.replace(/\/$/, '');
    add(`${p}: %zz`, request('GET', `${p}/%zz`, h));
    add(`${p}: truncated escape`, request('POST', `${p}/%E0%A4%A`, h, '{}'));
    add(`${p}: trailing %`, request('POST', `${p}/x%`, h, '{}'));
    add(`${p}: %ff (not UTF-8)`, request('GET', `${p}/%ff`, h));
    add(`${p}: overlong /`, request('GET', `${p}/%c0%af`, h));
    add(`${p}: surrogate`, request('GET', `${p}/%ed%a0%80`, h));
    add(`${p}: NUL`, request('GET', `${p}/a%00b`, h));
    add(`${p}: ..`, request('GET', `${p}/../${p.slice(1)}`, h));
    add(`${p}: encoded ..`, request('GET', `${p}/%2e%2e/x`, h));
    add(`${p}: empty segment`, request('GET', `${p}//x`, h));
    add(`${p}: bad query escape`, request('GET', `${p}?a=%zz&b=%`, h));
    // Well-formed escapes of bytes that are not UTF-8: a server may refuse or ignore an unknown parameter.
    add(`${p}: query not UTF-8`, request('GET', `${p}?a=%ff`, h), 'not-5xx');
    add(`${p}: 6 KB segment`, request('GET', `${p}/${'x'.repeat(6000)}`, h));
    add(`${p}: 10 KB id`, request('POST', `${p}/${'r'.repeat(10_000)}/pause`, h, '{}'));
    add(`${p}: raw UTF-8 in target`, Buffer.from(request('GET', `${p}/é`, h), 'utf8'), 'not-5xx');
    add(
      `${p}: raw byte 0xff`,
      Buffer.concat([
        Buffer.from(`GET ${p}/`),
        Buffer.from([0xff]),
        Buffer.from(` HTTP/1.1\r\nHost: {HOST}\r\nConnection: close\r\n\r\n`),
      ]),
    );
    add(`${p}: control char`, `GET ${p}/\u0001 HTTP/1.1\r\nHost: {HOST}\r\nConnection: close\r\n\r\n`);
    add(`${p}: space in target`, `GET ${p}/a b HTTP/1.1\r\nHost: {HOST}\r\nConnection: close\r\n\r\n`);
  }

  // Request lines.
  add('garbage', 'GARBAGE\r\n\r\n');
  // Empty lines before a request line are skipped (RFC 9112 §2.2): the server may wait for the request.
  add('empty lines only', '\r\n\r\n\r\n', 'maybe-silent');
  add('NUL bytes', Buffer.alloc(64));
  add('binary', Buffer.from(Array.from({ length: 256 }, (_, i) => i)));
  add('TLS hello on plain port', Buffer.from('16030100a5010000a10303', 'hex'));
  add('HTTP/0.9', 'GET /v1/health\r\n\r\n', 'maybe-silent');
  add('HTTP/9.9', request('GET', '/v1/health', h, '', 'HTTP/9.9'));
  add('HTTP/2 preface', 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
  add('unknown method', request('BREW', '/v1/health', h));
  add('lower-case method', request('get', '/v1/health', h));
  add('long method', request('X'.repeat(5000), '/v1/health', h));
  add('CONNECT', 'CONNECT evil.example:443 HTTP/1.1\r\nHost: evil.example:443\r\n\r\n');
  add('request line too long', request('GET', `/v1/${'a'.repeat(70_000)}`, h));
  add('bare LF', 'GET /v1/health HTTP/1.1\nHost: {HOST}\nConnection: close\n\n', 'not-5xx');

  // Headers.
  add('no Host', 'GET /v1/health HTTP/1.1\r\nConnection: close\r\n\r\n');
  add('two Host', request('GET', '/v1/health', [...h, 'Host: evil.example']));
  add(
    'two Content-Type',
    request('POST', '/v1/checks', [...h, 'Content-Type: application/json', 'Content-Type: text/plain'], '{}'),
  );
  add(
    'two Authorization',
    request('GET', '/v1/health', [...h, 'Authorization: Bearer a', 'Authorization: Bearer b']),
  );
  add(
    'two Content-Length',
    request('POST', '/v1/checks', [...h, 'Content-Length: 2', 'Content-Length: 3'], '{}'),
  );
  add(
    'CL and TE',
    request('POST', '/v1/checks', [...h, 'Content-Length: 2', 'Transfer-Encoding: chunked'], '{}'),
  );
  add('TE not chunked', request('POST', '/v1/checks', [...h, 'Transfer-Encoding: gzip'], '{}'));
  add(
    'bad chunk size',
    request(
      'POST',
      '/v1/checks',
      [...h, 'Content-Type: application/json', 'Transfer-Encoding: chunked'],
      'zz\r\n{}\r\n0\r\n\r\n',
    ),
  );
  add(
    'chunk size overflow',
    request(
      'POST',
      '/v1/checks',
      [...h, 'Content-Type: application/json', 'Transfer-Encoding: chunked'],
      'ffffffffffffffffff\r\n{}\r\n',
    ),
  );
  add('negative Content-Length', request('POST', '/v1/checks', [...h, 'Content-Length: -1'], ''));
  add('text Content-Length', request('POST', '/v1/checks', [...h, 'Content-Length: abc'], ''));
  add(
    'huge Content-Length',
    request(
      'POST',
      '/v1/checks',
      [...h, 'Content-Type: application/json', 'Content-Length: 99999999999'],
      '',
    ),
  );
  add('header without colon', request('GET', '/v1/health', [...h, 'NoColonHere']));
  add('space before colon', request('GET', '/v1/health', [...h, 'X-A : b']));
  add('obs-fold', request('GET', '/v1/health', [...h, 'X-A: b', ' folded']));
  add('NUL in header value', request('GET', '/v1/health', [...h, 'X-A: a\u0000b']));
  add('20 KB header', request('GET', '/v1/health', [...h, `X-Big: ${'a'.repeat(20_000)}`]));
  add(
    '3,000 headers',
    request('GET', '/v1/health', [...h, ...Array.from({ length: 3000 }, (_, i) => `X-${i}: v`)]),
  );
  add('bad header name', request('GET', '/v1/health', [...h, 'X(A): b']));
  add(
    'Latin-1 header value',
    Buffer.from(request('GET', '/v1/health', [...h, 'X-A: \u00e9\u00ff']), 'latin1'),
    'not-5xx',
  );
  add(
    'Upgrade',
    request('GET', '/v1/health', [...h, 'Upgrade: websocket', 'Connection: Upgrade']),
    'maybe-silent',
  );
  add(
    'Expect 100-continue',
    request('POST', '/v1/checks', [...h, 'Content-Type: application/json', 'Expect: 100-continue'], '{}'),
    'maybe-silent',
  );
  add(
    'Expect other',
    request('POST', '/v1/checks', [...h, 'Content-Type: application/json', 'Expect: 200-ok'], '{}'),
  );

  // Bodies and encodings (shorter than announced: the server must not wait forever, nor fail).
  add(
    'truncated body',
    request('POST', '/v1/checks', [...h, 'Content-Type: application/json', 'Content-Length: 100'], '{"a":'),
    'maybe-silent',
  );
  add(
    'gzip body, not gzip',
    request(
      'POST',
      '/v1/checks',
      [...h, 'Content-Type: application/json', 'Content-Encoding: gzip'],
      'not gzip',
    ),
    'not-5xx',
  );
  return cases;
}

/**
 * Seeded mutations of `seeds` (well-formed requests): bytes flipped, inserted, deleted, duplicated or cut,
 * CRLFs moved. Any answer but a 5xx is acceptable (a mutation may well be a valid request).
 */
export function mutatedCorpus(seeds: readonly string[], count: number, seed: number | string): FuzzCase[] {
  const prng = new Prng(seed);
  const specials = ['%', '/', '//', '\r\n', '\n', ' ', ':', '\u0000', '%zz', '%ff', '..', '?', '#', '\u00ff'];
  return Array.from({ length: count }, (_, i) => {
    let text = prng.pick(seeds);
    const edits = prng.int(1, 4);
    for (let e = 0; e < edits; e++) {
      const at = prng.int(0, text.length);
      const op = prng.int(0, 4);
      if (op === 0) text = text.slice(0, at) + prng.pick(specials) + text.slice(at);
      else if (op === 1) text = text.slice(0, at) + text.slice(at + prng.int(1, 8));
      else if (op === 2)
        text = text.slice(0, at) + String.fromCharCode(prng.int(0, 255)) + text.slice(at + 1);
      else if (op === 3)
        text =
          text.slice(0, at) + text.slice(at, at + prng.int(1, 40)).repeat(prng.int(2, 50)) + text.slice(at);
      else text = text.slice(0, at);
    }
    return { name: `mutation ${i}`, bytes: Buffer.from(text, 'latin1'), expect: 'maybe-silent' as const };
  });
}

/** Why an answer breaks its expectation, or null. */
export function violation(c: FuzzCase, answer: FuzzAnswer): string | null {
  if (answer.status !== null && answer.status >= 500) return `${c.name}: answered ${answer.status}`;
  if (c.expect === '4xx' && (answer.status === null || answer.status < 400))
    return `${c.name}: expected a 4xx, got ${answer.status ?? 'no answer'}`;
  if (c.expect === 'not-5xx' && answer.status === null) return `${c.name}: no answer`;
  return null;
}

/** Sends every case (a few at a time) and returns the answers with the cases that broke expectations. */
export async function runCorpus(
  target: FuzzTarget,
  cases: readonly FuzzCase[],
  options: { concurrency?: number; timeoutMs?: number } = {},
): Promise<{ answers: Map<string, FuzzAnswer>; violations: string[] }> {
  const answers = new Map<string, FuzzAnswer>();
  const violations: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < cases.length) {
      const c = cases[next++]!;
      const answer = await exchange(target, c.bytes, options.timeoutMs);
      answers.set(c.name, answer);
      const broken = violation(c, answer);
      if (broken) violations.push(broken);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 4 }, worker));
  return { answers, violations };
}
