/**
 * The local access token's files: created 0600 (in the data directory, kept across runs; else per run),
 * refused when others can read them, and found by the CLI only for a loopback URL of a Strata that runs.
 */
import { chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AccessTokenError, dataDirToken, findAccessToken, publishServer } from '../../local/access-token.ts';

const scratch = () => mkdtempSync(join(tmpdir(), 'strata-token-'));

describe('local access token', () => {
  it('is created 0600 in the data directory once and kept', () => {
    // Prepare
    const dir = scratch();
    // Act
    const first = dataDirToken(dir);
    const second = dataDirToken(dir);
    // Assess
    expect(first.file).toBe(join(dir, 'access-token'));
    expect(statSync(first.file).mode & 0o777).toBe(0o600);
    expect(second.token).toBe(first.token);
    expect(first.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('is refused, naming the file, when others can read it or it holds no token', () => {
    const dir = scratch();
    const { file } = dataDirToken(dir);
    chmodSync(file, 0o644);
    expect(() => dataDirToken(dir)).toThrow(AccessTokenError);
    expect(() => dataDirToken(dir)).toThrow(`${file}: readable by other users (mode 0644)`);
    writeFileSync(file, 'short\n', { mode: 0o600 });
    chmodSync(file, 0o600);
    expect(() => dataDirToken(dir)).toThrow(`${file}: not an access token`);
  });

  it('is found for a loopback URL of a running Strata, never for another host, a stopped one, or another port', () => {
    // Prepare
    const env = { STRATA_STATE_DIR: scratch() };
    const published = publishServer(
      { url: 'http://127.0.0.1:45678', port: 45678, token: 'x'.repeat(40), tokenRequired: false },
      env,
    );
    // Assess
    expect(statSync(published.tokenFile).mode & 0o777).toBe(0o600);
    expect(findAccessToken('http://127.0.0.1:45678', env)).toBe('x'.repeat(40));
    expect(findAccessToken('http://localhost:45678/', env)).toBe('x'.repeat(40));
    expect(findAccessToken('http://192.0.2.1:45678', env)).toBeUndefined();
    expect(findAccessToken('https://127.0.0.1:45678', env)).toBeUndefined();
    expect(findAccessToken('http://127.0.0.1:45679', env)).toBeUndefined();
    expect(findAccessToken('http://192.0.2.1:45678', { ...env, STRATA_TOKEN: 'from-env' })).toBe('from-env');
    // A record left by a process that no longer runs (kill -9) is ignored.
    const record = join(env.STRATA_STATE_DIR, 'servers', '45678.json');
    const stale = { ...JSON.parse(readFileSync(record, 'utf8')), pid: 2 ** 22 + 12345 };
    writeFileSync(record, JSON.stringify(stale));
    expect(findAccessToken('http://127.0.0.1:45678', env)).toBeUndefined();
  });
});
