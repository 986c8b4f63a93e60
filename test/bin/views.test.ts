import { describe, expect, it } from 'vitest';
import { driftRow, trackCheckCells } from '../../bin/views/checks.ts';
import type { TrackCheckView } from '../../functions/core/checks/index.ts';

const now = new Date('2026-11-21T12:00:00Z');
const d = (c: string) => `sha256:${c.repeat(64)}`;

describe('track check cells', () => {
  it('shows never-checked tracks as such', () => {
    expect(trackCheckCells(undefined, now)).toMatchObject({
      DIGEST: '-',
      CHECKED: 'never',
      'STALE-BASE': '-',
    });
  });

  it('shows the short digest, the check age, and a stale base with how far behind and since when', () => {
    const check: TrackCheckView = {
      lastCheckedAt: '2026-11-21T11:59:18Z',
      lastDigest: d('a'),
      lastError: null,
      consecutiveFailures: 0,
      baseError: null,
      base: {
        base: 'quay.io/fedora/fedora-coreos:stable',
        imageDigest: d('a'),
        builtOnDigest: d('1'),
        builtOnFrom: 'image',
        latestDigest: d('2'),
        stale: true,
        staleSince: '2026-11-21T09:00:00Z',
        missedDigests: [d('2')],
        behind: 1,
      },
    };
    expect(trackCheckCells(check, now)).toEqual({
      DIGEST: 'aaaaaaaaaaaa',
      CHECKED: '42s ago',
      'STALE-BASE': 'yes, 1 behind for 3h (now 222222222222)',
      BASE: 'quay.io/fedora/fedora-coreos:stable',
      'CHECK-ERROR': '',
    });
  });

  it('shows a current base as no, and the last error with its count', () => {
    const cells = trackCheckCells(
      {
        lastCheckedAt: '2026-11-21T11:00:00Z',
        lastDigest: d('a'),
        lastError: 'quay.io/acme/os:prod: registry unavailable: HTTP 429 after 4 attempts',
        consecutiveFailures: 3,
        baseError: null,
        base: null,
      },
      now,
    );
    expect(cells).toMatchObject({
      CHECKED: '60m ago',
      'STALE-BASE': '-',
      'CHECK-ERROR': 'quay.io/acme/os:prod: registry unavailable: HTTP 429 after 4 attempts (3x)',
    });
  });
});

describe('drift rows', () => {
  it('show where, what, expected and actual, since when and why', () => {
    expect(
      driftRow(
        {
          clusterId: 'east',
          pool: 'worker',
          kind: 'node-image',
          subject: 'east-worker-0',
          expected: 'quay.io/acme/os@sha256:1',
          actual: null,
          cause: 'node east-worker-0 booted no recorded image instead of quay.io/acme/os@sha256:1',
          since: '2026-11-21T11:30:00Z',
          checkedAt: '2026-11-21T11:59:00Z',
        },
        now,
      ),
    ).toEqual({
      CLUSTER: 'east',
      POOL: 'worker',
      KIND: 'node-image',
      SUBJECT: 'east-worker-0',
      EXPECTED: 'quay.io/acme/os@sha256:1',
      ACTUAL: '-',
      SINCE: '30m',
      CAUSE: 'node east-worker-0 booted no recorded image instead of quay.io/acme/os@sha256:1',
    });
  });
});
