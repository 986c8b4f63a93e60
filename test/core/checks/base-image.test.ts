import { describe, expect, it } from 'vitest';
import { BaseAnnotations, BaseReferenceError, baseImageOf } from '../../../functions/core/checks/index.ts';

const D1 = `sha256:${'a'.repeat(64)}`;
const D2 = `sha256:${'b'.repeat(64)}`;

describe('baseImageOf', () => {
  it('reads the OCI base annotations, canonicalising Docker Hub names', () => {
    // Act
    const base = baseImageOf('img', {
      annotations: { [BaseAnnotations.name]: 'fedora:41', [BaseAnnotations.digest]: D1 },
      labels: {},
    });
    // Assess
    expect(base).toEqual({
      host: 'docker.io',
      repository: 'library/fedora',
      tag: '41',
      builtOnDigest: D1,
      source: 'annotation',
    });
  });

  it('prefers annotations over labels, then a configured label, then the OCI keys as labels', () => {
    const labels = {
      'com.acme.base': `quay.io/fedora/fedora-coreos:stable@${D2}`,
      [BaseAnnotations.name]: 'quay.io/other/base:1',
    };
    expect(
      baseImageOf(
        'img',
        { annotations: { [BaseAnnotations.name]: 'quay.io/a/b:1' }, labels },
        'com.acme.base',
      ),
    ).toMatchObject({ repository: 'a/b', builtOnDigest: null, source: 'annotation' });
    expect(baseImageOf('img', { annotations: {}, labels }, 'com.acme.base')).toMatchObject({
      repository: 'fedora/fedora-coreos',
      tag: 'stable',
      builtOnDigest: D2,
      source: 'label:com.acme.base',
    });
    expect(baseImageOf('img', { annotations: {}, labels })).toMatchObject({
      repository: 'other/base',
      source: `label:${BaseAnnotations.name}`,
    });
  });

  it('is null when the image names no base', () => {
    expect(baseImageOf('img', { annotations: { other: 'x' }, labels: {} })).toBeNull();
    expect(baseImageOf('img', { annotations: { [BaseAnnotations.name]: '  ' }, labels: {} })).toBeNull();
  });

  it('refuses a base without a tag or with a malformed digest, naming the image and the key', () => {
    expect(() =>
      baseImageOf('quay.io/acme/os@sha256:1', {
        annotations: { [BaseAnnotations.name]: `quay.io/a/b@${D1}` },
        labels: {},
      }),
    ).toThrow(
      new BaseReferenceError(
        'quay.io/acme/os@sha256:1',
        BaseAnnotations.name,
        `"quay.io/a/b@${D1}" names no tag, so there is nothing to re-resolve`,
      ),
    );
    expect(() =>
      baseImageOf('img', {
        annotations: { [BaseAnnotations.name]: 'quay.io/a/b:1', [BaseAnnotations.digest]: 'md5:00' },
        labels: {},
      }),
    ).toThrow(/img: org\.opencontainers\.image\.base\.digest: "md5:00" is not sha256/);
    expect(() =>
      baseImageOf('img', { annotations: { [BaseAnnotations.name]: 'Quay.io/A B:1' }, labels: {} }),
    ).toThrow(BaseReferenceError);
  });
});
