import { describe, expect, it } from 'vitest';
import {
  canonicalHost,
  filterNoise,
  looksLikeDigest,
  MalformedPayloadError,
  noiseReason,
  type PushHint,
  parseImageReference,
} from '../../../functions/core/ingress/index.ts';

const D = `sha256:${'ab'.repeat(32)}`;
const hint = (over: Partial<PushHint> = {}): PushHint => ({
  action: 'push',
  host: 'quay.io',
  repository: 'acme/os',
  tag: 'prod',
  digestHint: D,
  eventId: 'e',
  mediaType: 'application/vnd.oci.image.index.v1+json',
  ...over,
});

describe('noise filter', () => {
  it.each([
    [{ action: 'pull' }, 'not-a-push'],
    [{ action: 'delete' }, 'not-a-push'],
    [{ tag: null }, 'untagged'],
    [{ tag: '' }, 'untagged'],
    [{ tag: D }, 'digest-tag'],
    [{ tag: `sha256-${'ab'.repeat(32)}.att` }, 'digest-tag'],
    [{ attestation: true }, 'attestation'],
    [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip' }, 'not-a-manifest'],
    [{ mediaType: 'application/octet-stream' }, 'not-a-manifest'],
    [{ mediaType: 'application/vnd.cncf.helm.config.v1+json' }, 'not-a-manifest'],
  ] as const)('drops %j as %s', (over, reason) => {
    expect(noiseReason(hint(over as Partial<PushHint>))).toBe(reason);
  });

  it('keeps tagged pushes of the four manifest types and of unknown type', () => {
    for (const mediaType of [
      'application/vnd.oci.image.index.v1+json',
      'application/vnd.docker.distribution.manifest.list.v2+json',
      'application/vnd.oci.image.manifest.v1+json',
      'application/vnd.docker.distribution.manifest.v2+json',
      null,
    ]) {
      expect(noiseReason(hint({ mediaType }))).toBeNull();
    }
  });

  it('canonicalises Docker Hub and refuses invalid names in kept pushes', () => {
    const out = filterNoise('dockerhub', [hint({ host: 'index.docker.io', repository: 'nginx' })], 'now');
    expect(out.pushes[0]).toMatchObject({ host: 'docker.io', repository: 'library/nginx' });
    expect(() => filterNoise('x', [hint({ repository: 'Acme/OS' })], 'now')).toThrow(MalformedPayloadError);
    expect(() => filterNoise('x', [hint({ digestHint: 'sha256:zz' })], 'now')).toThrow(/digest "sha256:zz"/);
    expect(() => filterNoise('x', [hint({ host: 'bad host' })], 'now')).toThrow(/registry host/);
  });

  it('recognises digest-like tags', () => {
    expect(looksLikeDigest(D)).toBe(true);
    expect(looksLikeDigest(`sha512:${'a'.repeat(128)}`)).toBe(true);
    expect(looksLikeDigest('v1.2.3')).toBe(false);
    expect(looksLikeDigest('latest')).toBe(false);
  });
});

describe('image references', () => {
  it.each([
    ['quay.io/acme/os:prod', { host: 'quay.io', repository: 'acme/os', tag: 'prod', digest: null }],
    ['ubuntu:24.04', { host: 'docker.io', repository: 'library/ubuntu', tag: '24.04', digest: null }],
    ['registry-1.docker.io/acme/os:1', { host: 'docker.io', repository: 'acme/os', tag: '1', digest: null }],
    ['127.0.0.1:5000/a/b:c', { host: '127.0.0.1:5000', repository: 'a/b', tag: 'c', digest: null }],
    ['localhost/a:b', { host: 'localhost', repository: 'a', tag: 'b', digest: null }],
    [`ghcr.io/a/b@${D}`, { host: 'ghcr.io', repository: 'a/b', tag: null, digest: D }],
  ])('parses %s', (reference, expected) => {
    expect(parseImageReference(reference)).toEqual(expected);
  });

  it.each([
    ['quay.io/Acme/os:prod', /lowercase/],
    ['quay.io/acme/os:bad tag', /tag/],
    ['quay.io/acme/os@sha256:123', /digest/],
  ])('refuses %s', (reference, why) => {
    expect(() => parseImageReference(reference)).toThrow(why);
  });

  it('folds Docker Hub aliases', () => {
    expect(['docker.io', 'index.docker.io', 'REGISTRY-1.docker.io'].map(canonicalHost)).toEqual([
      'docker.io',
      'docker.io',
      'docker.io',
    ]);
  });
});
