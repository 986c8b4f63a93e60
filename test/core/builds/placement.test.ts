import { describe, expect, it } from 'vitest';
import {
  BuildDefinitionSchema,
  buildMatrix,
  buildPlacement,
  preparedBuild,
  settleAttempt,
  startAttempt,
} from '../../../functions/core/builds/index.ts';

const d = (c: string) => `sha256:${c.repeat(64)}`;
const T0 = '2026-12-02T10:00:00.000Z';
const def = BuildDefinitionSchema.parse({
  containerfile: 'FROM quay.io/acme/os:stream\nRUN true\n',
  repository: 'registry.local/acme/layered',
  maxAttempts: 1,
});
const matrix = buildMatrix('layered', def, [
  { clusterId: 'a', base: `quay.io/acme/os@${d('1')}`, release: '4.18.12' },
  { clusterId: 'b', base: `quay.io/acme/os@${d('2')}`, release: '4.20.3' },
  { clusterId: 'c', base: `quay.io/acme/os@${d('3')}`, release: '4.21.0' },
]);
const [onA, onB, onC] = matrix.entries.map((e) => preparedBuild(e, def, T0));

describe('build placement (strata plan --track)', () => {
  it('gives each cluster its own build’s image, refuses a failed build’s clusters, and shows the rest pending', () => {
    const ok = settleAttempt(startAttempt(onA!, T0), { ok: true, digest: d('a'), log: '' }, T0);
    const failed = settleAttempt(
      startAttempt(onB!, T0),
      { ok: false, error: 'RUN true: exit status 1', log: 'x' },
      T0,
    );
    const placement = buildPlacement(def, matrix.revision, ['d', 'c', 'b', 'a'], [ok, failed, onC!]);
    expect(placement.map((p) => [p.clusterId, p.image, p.pending, p.refused])).toEqual([
      ['a', `registry.local/acme/layered@${d('a')}`, null, null],
      ['b', null, null, 'build Failed after 1 attempt(s): RUN true: exit status 1'],
      ['c', null, 'build Prepared', null],
      ['d', null, 'no build yet: the next build pass reads its base', null],
    ]);
    expect(placement[0]).toMatchObject({ release: '4.18.12', base: `quay.io/acme/os@${d('1')}` });
    // Builds of another revision do not count.
    expect(buildPlacement(def, 'another', ['a'], [ok])[0]!.image).toBeNull();
  });
});
