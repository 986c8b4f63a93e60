/**
 * EKS IAM tokens, offline: the presigned STS GetCallerIdentity URL inside a `k8s-aws-v1.` token, signed
 * with fixed credentials at a fixed time, has the form EKS's authenticator accepts, and its signature is
 * the SigV4 one computed here independently with node:crypto; tokens are signed again before they expire.
 */
import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  createEksTokens,
  EKS_TOKEN_PREFIX,
  EKS_TOKEN_REFRESH_SECONDS,
  eksToken,
} from '../../../functions/adapters/cluster/eks-token.ts';

const credentials = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
};
const cluster = { clusterName: 'fleet-east', region: 'eu-west-1' };
const at = new Date('2026-03-01T12:34:56Z');

function decode(token: string): URL {
  expect(token.startsWith(EKS_TOKEN_PREFIX)).toBe(true);
  const encoded = token.slice(EKS_TOKEN_PREFIX.length);
  expect(encoded).toMatch(/^[A-Za-z0-9_-]+$/); // base64url without padding
  return new URL(Buffer.from(encoded, 'base64url').toString('utf8'));
}

/** SigV4 of the presigned GET, computed from the specification's steps. */
function expectedSignature(url: URL): string {
  const params = [...url.searchParams].filter(([k]) => k !== 'X-Amz-Signature');
  const enc = (s: string) =>
    encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  const query = params
    .map(([k, v]) => [enc(k), enc(v)])
    .sort(([a], [b]) => (a! < b! ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const canonical = [
    'GET',
    '/',
    query,
    `host:${url.host}\nx-k8s-aws-id:${cluster.clusterName}\n`,
    'host;x-k8s-aws-id',
    createHash('sha256').update('').digest('hex'),
  ].join('\n');
  const scope = `20260301/${cluster.region}/sts/aws4_request`;
  const toSign = [
    'AWS4-HMAC-SHA256',
    '20260301T123456Z',
    scope,
    createHash('sha256').update(canonical).digest('hex'),
  ].join('\n');
  let key: Buffer = Buffer.from(`AWS4${credentials.secretAccessKey}`);
  for (const part of ['20260301', cluster.region, 'sts', 'aws4_request']) {
    key = createHmac('sha256', key).update(part).digest();
  }
  return createHmac('sha256', key).update(toSign).digest('hex');
}

describe('EKS IAM tokens', () => {
  it('wraps a presigned STS GetCallerIdentity URL bound to the cluster, with a correct SigV4 signature', async () => {
    // Act
    const token = await eksToken(cluster, credentials, at);
    // Assess
    const url = decode(token);
    expect(url.origin).toBe('https://sts.eu-west-1.amazonaws.com');
    expect(url.pathname).toBe('/');
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      Action: 'GetCallerIdentity',
      Version: '2011-06-15',
      'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
      'X-Amz-Credential': 'AKIDEXAMPLE/20260301/eu-west-1/sts/aws4_request',
      'X-Amz-Date': '20260301T123456Z',
      'X-Amz-Expires': '60',
      'X-Amz-SignedHeaders': 'host;x-k8s-aws-id',
    });
    expect(url.searchParams.get('X-Amz-Signature')).toBe(expectedSignature(url));
    // Deterministic for fixed credentials and time; another cluster name signs differently.
    expect(await eksToken(cluster, credentials, at)).toBe(token);
    const other = decode(await eksToken({ ...cluster, clusterName: 'fleet-west' }, credentials, at));
    expect(other.searchParams.get('X-Amz-Signature')).not.toBe(url.searchParams.get('X-Amz-Signature'));
  });

  it('signs a new token once the refresh age has passed, and reuses it before', async () => {
    // Prepare
    let now = at.getTime();
    const tokens = createEksTokens(
      async () => credentials,
      () => new Date(now),
    );
    // Act
    const first = await tokens.tokenFor(cluster);
    now += (EKS_TOKEN_REFRESH_SECONDS - 1) * 1000;
    const reused = await tokens.tokenFor(cluster);
    now += 2000;
    const renewed = await tokens.tokenFor(cluster);
    // Assess
    expect(reused).toBe(first);
    expect(renewed).not.toBe(first);
    expect(decode(renewed).searchParams.get('X-Amz-Date')).toBe('20260301T124457Z');
    expect(EKS_TOKEN_REFRESH_SECONDS).toBeLessThan(15 * 60);
  });
});
