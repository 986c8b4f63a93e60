import { describe, expect, it } from 'vitest';
import {
  assessBase,
  type BaseImage,
  baseImageUpdatedEvent,
  baseImageUpdatedId,
  MAX_MISSED_DIGESTS,
} from '../../../functions/core/checks/index.ts';

const d = (c: string) => `sha256:${c.repeat(64)}`;
const base = (builtOnDigest: string | null): BaseImage => ({
  host: 'quay.io',
  repository: 'fedora/fedora-coreos',
  tag: 'stable',
  builtOnDigest,
  source: 'annotation',
});

describe('assessBase', () => {
  it('is current while the base tag still points at the digest the image was built on', () => {
    const status = assessBase({
      previous: null,
      imageDigest: d('1'),
      base: base(d('a')),
      latestDigest: d('a'),
      now: 't0',
    });
    expect(status).toMatchObject({ stale: false, staleSince: null, behind: 0, builtOnFrom: 'image' });
  });

  it('turns stale when the base moves, keeps since across checks, and counts each new base digest once', () => {
    const s1 = assessBase({
      previous: null,
      imageDigest: d('1'),
      base: base(d('a')),
      latestDigest: d('b'),
      now: 't1',
    });
    const s2 = assessBase({
      previous: s1,
      imageDigest: d('1'),
      base: base(d('a')),
      latestDigest: d('b'),
      now: 't2',
    });
    const s3 = assessBase({
      previous: s2,
      imageDigest: d('1'),
      base: base(d('a')),
      latestDigest: d('c'),
      now: 't3',
    });
    expect(s1).toMatchObject({ stale: true, staleSince: 't1', behind: 1, missedDigests: [d('b')] });
    expect(s2).toEqual(s1);
    expect(s3).toMatchObject({ stale: true, staleSince: 't1', behind: 2, missedDigests: [d('b'), d('c')] });
  });

  it('takes the first digest seen as the build base when the image records none', () => {
    const s1 = assessBase({
      previous: null,
      imageDigest: d('1'),
      base: base(null),
      latestDigest: d('a'),
      now: 't1',
    });
    const s2 = assessBase({
      previous: s1,
      imageDigest: d('1'),
      base: base(null),
      latestDigest: d('b'),
      now: 't2',
    });
    expect(s1).toMatchObject({ stale: false, builtOnDigest: d('a'), builtOnFrom: 'observed' });
    expect(s2).toMatchObject({
      stale: true,
      builtOnDigest: d('a'),
      builtOnFrom: 'observed',
      staleSince: 't2',
    });
  });

  it('starts over for a rebuilt image', () => {
    const stale = assessBase({
      previous: null,
      imageDigest: d('1'),
      base: base(null),
      latestDigest: d('a'),
      now: 't1',
    });
    const moved = assessBase({
      previous: stale,
      imageDigest: d('1'),
      base: base(null),
      latestDigest: d('b'),
      now: 't2',
    });
    const rebuilt = assessBase({
      previous: moved,
      imageDigest: d('2'),
      base: base(null),
      latestDigest: d('b'),
      now: 't3',
    });
    expect(rebuilt).toMatchObject({ stale: false, builtOnDigest: d('b'), behind: 0, imageDigest: d('2') });
  });

  it('remembers at most MAX_MISSED_DIGESTS digests but keeps counting', () => {
    let s = assessBase({
      previous: null,
      imageDigest: d('1'),
      base: base(d('0')),
      latestDigest: d('0'),
      now: 't',
    });
    const hex = '123456789abcdef';
    for (const c of hex)
      s = assessBase({ previous: s, imageDigest: d('1'), base: base(d('0')), latestDigest: d(c), now: 't' });
    expect(s.behind).toBe(hex.length);
    expect(s.missedDigests).toHaveLength(MAX_MISSED_DIGESTS);
    expect(s.missedDigests.at(-1)).toBe(d('f'));
  });
});

describe('BaseImageUpdated', () => {
  it('has one id per (track, base digest) and exists only for stale statuses', () => {
    const current = assessBase({
      previous: null,
      imageDigest: d('1'),
      base: base(d('a')),
      latestDigest: d('a'),
      now: 't',
    });
    const stale = assessBase({
      previous: null,
      imageDigest: d('1'),
      base: base(d('a')),
      latestDigest: d('b'),
      now: 't',
    });
    expect(baseImageUpdatedEvent('prod', 'quay.io/acme/os:prod', current, 't')).toBeNull();
    expect(baseImageUpdatedEvent('prod', 'quay.io/acme/os:prod', stale, 'tx')).toEqual({
      id: baseImageUpdatedId('prod', d('b')),
      track: 'prod',
      image: 'quay.io/acme/os:prod',
      imageDigest: d('1'),
      base: 'quay.io/fedora/fedora-coreos:stable',
      builtOnDigest: d('a'),
      baseDigest: d('b'),
      behind: 1,
      staleSince: 't',
      detectedAt: 'tx',
    });
    expect(baseImageUpdatedId('prod', d('b'))).not.toBe(baseImageUpdatedId('prod', d('c')));
    expect(baseImageUpdatedId('prod', d('b'))).not.toBe(baseImageUpdatedId('dev', d('b')));
  });
});
