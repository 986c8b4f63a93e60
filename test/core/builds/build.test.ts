import { describe, expect, it } from 'vitest';
import {
  attemptDue,
  BuildDefinitionSchema,
  BuildStateError,
  buildMatrix,
  buildRequest,
  imageForCluster,
  isSettled,
  preparedBuild,
  releaseSet,
  rolloutForBuilds,
  settleAttempt,
  startAttempt,
} from '../../../functions/core/builds/index.ts';
import type { Track } from '../../../functions/core/model.ts';
import { rolloutFleet } from '../../../functions/core/rollout/index.ts';
import { DEFAULT_STRATEGY } from '../../../functions/core/tracks/index.ts';

const d = (c: string) => `sha256:${c.repeat(64)}`;
const T0 = '2026-12-02T10:00:00.000Z';
const definition = BuildDefinitionSchema.parse({
  containerfile: 'FROM quay.io/acme/rhcos:stream\nRUN echo hi > /etc/hi\n',
  repository: 'registry.local/acme/layered',
  args: { FLAVOUR: 'prod' },
});
const track: Track = {
  name: 'layered',
  image: { host: 'registry.local', repository: 'acme/layered', tag: 'prod' },
  targets: { clusterSelector: {}, pools: ['worker'] },
  strategy: DEFAULT_STRATEGY,
  build: definition,
};
const matrix = buildMatrix('layered', definition, [
  { clusterId: 'east', base: `quay.io/acme/rhcos@${d('1')}`, release: '4.16.3' },
  { clusterId: 'west', base: `quay.io/acme/rhcos@${d('2')}`, release: '4.17.0' },
  { clusterId: 'odd', base: `quay.io/other/os@${d('3')}`, release: '4.17.0' },
]);
const prepared = () => matrix.entries.map((e) => preparedBuild(e, definition, T0));

describe('builds', () => {
  it('start Prepared, with the definition’s attempts', () => {
    const [build] = prepared();
    expect(build).toMatchObject({
      status: 'Prepared',
      attempts: 0,
      maxAttempts: 3,
      digest: null,
      baseName: 'quay.io/acme/rhcos:stream',
    });
    expect(attemptDue(build!)).toBe(true);
  });

  it('ask the builder for FROM pinned to the base digest, base labels and revision, and the release tag', () => {
    const build = prepared()[0]!;
    const request = buildRequest(build, definition);
    expect(request.containerfile.split('\n')[0]).toBe(`FROM quay.io/acme/rhcos@${d('1')}`);
    expect(request.labels).toEqual({
      'org.opencontainers.image.base.name': 'quay.io/acme/rhcos:stream',
      'org.opencontainers.image.base.digest': d('1'),
      'org.opencontainers.image.revision': build.revision,
      'io.strata.track': 'layered',
    });
    expect(request.destination).toBe(`registry.local/acme/layered:4.16.3-${build.revision}`);
    expect(request).toMatchObject({ platform: 'linux/amd64', args: { FLAVOUR: 'prod' } });
  });

  it('a failed attempt is retried until the attempts are used up, then stays Failed with its log tail', () => {
    let build = prepared()[0]!;
    const log = Array.from({ length: 60 }, (_, i) => `line ${i}`).join('\n');
    for (let attempt = 1; attempt <= 3; attempt++) {
      build = startAttempt(build, T0);
      expect(build).toMatchObject({ status: 'Building', attempts: attempt });
      build = settleAttempt(build, { ok: false, error: 'RUN exited 1', log }, T0);
    }
    expect(build).toMatchObject({ status: 'Failed', attempts: 3, error: 'RUN exited 1' });
    expect(build.logTail).toHaveLength(40);
    expect(build.logTail!.at(-1)).toBe('line 59');
    expect(attemptDue(build)).toBe(false);
    expect(isSettled(build)).toBe(true);
    expect(() => startAttempt(build, T0)).toThrow(BuildStateError);
  });

  it('an interrupted attempt is tried again; success records the digest', () => {
    let build = startAttempt(prepared()[0]!, T0);
    build = settleAttempt(build, { ok: false, error: 'builder stopped', log: '', interrupted: true }, T0);
    expect(build.status).toBe('Interrupted');
    expect(isSettled(build)).toBe(false);
    build = settleAttempt(startAttempt(build, T0), { ok: true, digest: d('a'), log: '' }, T0);
    expect(build).toMatchObject({ status: 'Succeeded', attempts: 2, digest: d('a'), error: null });
    expect(() => settleAttempt(build, { ok: true, digest: d('b'), log: '' }, T0)).toThrow('not Building');
  });
});

describe('compatibility gate', () => {
  const succeed = (b: ReturnType<typeof prepared>[number], c: string) =>
    settleAttempt(startAttempt(b, T0), { ok: true, digest: d(c), log: '' }, T0);

  it('gives each cluster the build on its own base and refuses the one of another stream', () => {
    const [east, west] = prepared();
    const set = releaseSet(matrix, [succeed(east!, 'e'), succeed(west!, 'f')]);
    expect(set.unsettled).toEqual([]);
    expect(set.images).toEqual({
      east: { host: 'registry.local', repository: 'acme/layered', digest: d('e') },
      west: { host: 'registry.local', repository: 'acme/layered', digest: d('f') },
    });
    expect(set.refused).toEqual([
      { clusterId: 'odd', reason: "base quay.io/other/os is not the build's base stream quay.io/acme/rhcos" },
    ]);
    const rollout = rolloutForBuilds(track, set, 'build', T0)!;
    expect(imageForCluster(rollout, 'east')!.digest).toBe(d('e'));
    expect(imageForCluster(rollout, 'west')!.digest).toBe(d('f'));
    expect(imageForCluster(rollout, 'odd')).toBeNull();
    const fleet = rolloutFleet(
      rollout,
      ['east', 'west', 'odd'].map((id) => ({ id, labels: {} })),
    );
    expect(fleet.map((c) => c.id)).toEqual(['east', 'west']);
  });

  it('waits while a build is unsettled, and one rollout id per distinct set', () => {
    const [east, west] = prepared();
    const waiting = releaseSet(matrix, [succeed(east!, 'e'), startAttempt(west!, T0)]);
    expect(waiting.unsettled).toEqual([west!.id]);
    expect(rolloutForBuilds(track, waiting, 'build', T0)).toBeNull();
    const a = rolloutForBuilds(
      track,
      releaseSet(matrix, [succeed(east!, 'e'), succeed(west!, 'f')]),
      'build',
      T0,
    )!;
    const b = rolloutForBuilds(
      track,
      releaseSet(matrix, [succeed(east!, 'e'), succeed(west!, '9')]),
      'build',
      T0,
    )!;
    expect(a.id).not.toBe(b.id);
  });

  it('a failed build refuses its clusters with the error; when all failed nothing rolls out', () => {
    const fail = (b: ReturnType<typeof prepared>[number]) => {
      let x = b;
      for (let i = 0; i < 3; i++)
        x = settleAttempt(startAttempt(x, T0), { ok: false, error: 'RUN exited 1', log: 'boom' }, T0);
      return x;
    };
    const [east, west] = prepared();
    const partial = releaseSet(matrix, [succeed(east!, 'e'), fail(west!)]);
    expect(Object.keys(partial.images)).toEqual(['east']);
    expect(partial.refused.find((r) => r.clusterId === 'west')!.reason).toBe(
      `build ${west!.id} Failed: RUN exited 1`,
    );
    expect(rolloutForBuilds(track, releaseSet(matrix, [fail(east!), fail(west!)]), 'build', T0)).toBeNull();
  });
});
