import { describe, expect, it } from 'vitest';
import {
  BuildDefinitionSchema,
  type BuildRecord,
  buildMatrix,
  imagesInUse,
  markPruned,
  preparedBuild,
  pruneCandidates,
  settleAttempt,
  startAttempt,
} from '../../../functions/core/builds/index.ts';

const d = (c: string) => `sha256:${c.repeat(64)}`;

/** One Succeeded build of revision `n` (a different Containerfile each), created at minute `n`. */
function buildOf(track: string, n: number): BuildRecord {
  const def = BuildDefinitionSchema.parse({
    containerfile: `FROM quay.io/acme/os:stream\nRUN echo ${n}\n`,
    repository: 'registry.local/acme/layered',
  });
  const entry = buildMatrix(track, def, [
    { clusterId: 'a', base: `quay.io/acme/os@${d('1')}`, release: '4.18.12' },
  ]).entries[0]!;
  const at = `2026-12-02T10:${String(n).padStart(2, '0')}:00.000Z`;
  return settleAttempt(
    startAttempt(preparedBuild(entry, def, at), at),
    { ok: true, digest: d(String(n)), log: '' },
    at,
  );
}

describe('pruning', () => {
  it('keeps the newest 3 revisions per track and every image a pool uses; names the tags to delete', () => {
    const builds = [1, 2, 3, 4, 5].map((n) => buildOf('layered', n));
    const other = [1, 2].map((n) => buildOf('other', n));
    const used = new Set([`registry.local/acme/layered@${d('1')}`]);
    const candidates = pruneCandidates([...builds, ...other], used);
    expect(candidates.map((c) => c.build.digest)).toEqual([d('2')]);
    expect(candidates[0]!.tag).toBe(`registry.local/acme/layered:4.18.12-${builds[1]!.revision}`);
    expect(
      pruneCandidates([...builds, ...other], new Set(), 1).map((c) => [c.build.track, c.build.digest]),
    ).toEqual(
      expect.arrayContaining([
        ['layered', d('1')],
        ['layered', d('4')],
        ['other', d('1')],
      ]),
    );
    expect(pruneCandidates([...builds, ...other], new Set(), 1)).toHaveLength(5);
  });

  it('skips builds already pruned and builds sharing their image with a kept build', () => {
    const builds = [1, 2, 3, 4, 5].map((n) => buildOf('layered', n));
    const pruned = [markPruned(builds[0]!, '2026-12-02T11:00:00.000Z'), ...builds.slice(1)];
    expect(pruneCandidates(pruned, new Set()).map((c) => c.build.digest)).toEqual([d('2')]);
    // Build 2 pushed the same manifest as the kept build 5: deleting it by digest would delete 5's tag.
    const shared = [builds[0]!, { ...builds[1]!, digest: d('5') }, ...builds.slice(2)];
    expect(pruneCandidates(shared, new Set()).map((c) => c.build.digest)).toEqual([d('1')]);
  });

  it('counts the images pools target, keep for rollback and last completed as in use', () => {
    const pool = (target: string | null, rollback: string | null, last: string | null) =>
      ({
        target: target ? { config: '', image: target, rolloutId: 'r' } : null,
        rollbackTo: rollback ? { config: 'rendered-1', image: rollback } : null,
        lastCompleted: last ? { config: '', image: last } : null,
      }) as Parameters<typeof imagesInUse>[0][number];
    const used = imagesInUse([
      pool('r/a@1', 'r/a@2', null),
      pool(null, null, 'r/a@3'),
      pool(null, null, null),
    ]);
    expect([...used].sort()).toEqual(['r/a@1', 'r/a@2', 'r/a@3']);
  });
});
