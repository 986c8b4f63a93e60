import { describe, expect, it } from 'vitest';
import { rolloutId } from '../../../functions/core/model.ts';
import {
  DEFAULT_STRATEGY,
  parseTrack,
  parseTrackFile,
  pushKey,
  rolloutForPush,
  TrackDefinitionError,
  tracksFollowing,
} from '../../../functions/core/tracks/index.ts';

const D = `sha256:${'c4'.repeat(32)}`;

describe('track files', () => {
  it('fills safe defaults', () => {
    const [track] = parseTrackFile('name: prod\nimage: quay.io/acme/rhcos-layered:prod\n', 'tracks.yaml');
    expect(track).toEqual({
      name: 'prod',
      image: { host: 'quay.io', repository: 'acme/rhcos-layered', tag: 'prod' },
      targets: { clusterSelector: {}, pools: ['worker'] },
      strategy: {
        waves: [],
        maxConcurrentClusters: 1,
        soakSeconds: 600,
        poolFailureBudget: 0,
        fleetFailureBudget: 0,
        onFailure: 'halt',
      },
    });
    expect(track?.strategy).toEqual(DEFAULT_STRATEGY);
  });

  it('reads several documents and a tracks: list', () => {
    const text = [
      'name: a',
      'image: quay.io/acme/os:a',
      'targets:',
      '  clusterSelector: { matchLabels: { env: prod } }',
      '  pools: [worker, infra]',
      'strategy:',
      '  waves: [{ name: canary, clusterSelector: { matchLabels: { canary: "true" } } }, { name: quarter, percent: 25 }]',
      '  maxUnavailable: "10%"',
      '  onFailure: rollback',
      '---',
      'tracks:',
      '  - { name: b, image: "quay.io/acme/os:b" }',
      '  - { name: c, image: { host: quay.io, repository: acme/os, tag: c } }',
    ].join('\n');
    const tracks = parseTrackFile(text, 'fleet.yaml');
    expect(tracks.map((t) => t.name)).toEqual(['a', 'b', 'c']);
    expect(tracks[0]!.targets.pools).toEqual(['worker', 'infra']);
    expect(tracks[0]!.strategy.waves).toHaveLength(2);
    expect(tracks[0]!.strategy.maxUnavailable).toBe('10%');
    expect(tracks[2]!.image).toEqual({ host: 'quay.io', repository: 'acme/os', tag: 'c' });
  });

  it.each([
    ['name: x\nimage: quay.io/a/b:c\nstrategy: { waves: [{ name: w, percent: 0 }] }', 'strategy.waves[0]'],
    [
      'name: x\nimage: quay.io/a/b:c\nstrategy: { maxConcurrentClusters: 0 }',
      'strategy.maxConcurrentClusters',
    ],
    [
      'name: x\nimage: quay.io/a/b:c\nstrategy: { fleetFailureBudget: "5 percent" }',
      'strategy.fleetFailureBudget',
    ],
    ['name: x\nimage: quay.io/a/b:c\nstrategy: { onFailure: retry }', 'strategy.onFailure'],
    ['name: x\nimage: quay.io/a/b:c\nstrategy: { soak: 5 }', 'strategy'],
    ['name: x\nimage: quay.io/a/b\n', 'image'],
    [`name: x\nimage: quay.io/a/b@${D}\n`, 'image'],
    ['name: x\nimage: quay.io/a/b:c\ntargets: { pools: [] }', 'targets.pools'],
    [
      'name: x\nimage: quay.io/a/b:c\ntargets: { clusterSelector: { matchExpressions: [{ key: k, operator: In }] } }',
      'targets.clusterSelector.matchExpressions[0]',
    ],
    ['name: Bad_Name\nimage: quay.io/a/b:c', 'name'],
    ['image: quay.io/a/b:c', 'name'],
  ])('names the field of an invalid track: %s', (text, field) => {
    try {
      parseTrackFile(text, 'bad.yaml');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(TrackDefinitionError);
      expect((error as TrackDefinitionError).field.startsWith(field)).toBe(true);
      expect((error as Error).message.startsWith('bad.yaml: ')).toBe(true);
    }
  });

  it('refuses a name defined twice and invalid YAML', () => {
    expect(() =>
      parseTrackFile('name: a\nimage: q.io/a:b\n---\nname: a\nimage: q.io/a:c\n', 'f.yaml'),
    ).toThrow('f.yaml: track "a": name: defined twice');
    expect(() => parseTrackFile('name: [a\n', 'f.yaml')).toThrow(/^f\.yaml: document 1: /);
  });
});

describe('matching pushes to tracks', () => {
  const tracks = [
    parseTrack({ name: 'hub', image: 'docker.io/library/debian:12' }, 't'),
    parseTrack({ name: 'hub-short', image: 'debian:12' }, 't'),
    parseTrack({ name: 'quay', image: 'quay.io/acme/os:12' }, 't'),
  ];

  it('matches by canonical host/repository:tag', () => {
    const push = { host: 'registry-1.docker.io', repository: 'library/debian', tag: '12' };
    expect(tracksFollowing(tracks, push).map((t) => t.name)).toEqual(['hub', 'hub-short']);
    expect(tracksFollowing(tracks, { ...push, tag: '13' })).toEqual([]);
  });

  it('builds the rollout of a push: deterministic id, strategy snapshot, Pending', () => {
    const track = tracks[2]!;
    const image = { host: 'quay.io', repository: 'acme/os', digest: D };
    const record = rolloutForPush(track, image, 'quay', '2026-01-01T00:00:00.000Z');
    expect(record).toEqual({
      id: rolloutId('quay', D),
      track: 'quay',
      image,
      strategy: track.strategy,
      targets: track.targets,
      status: 'Pending',
      cause: 'quay',
      createdAt: '2026-01-01T00:00:00.000Z',
      version: 1,
    });
    expect(pushKey({ ...image, tag: '12' })).toBe(`quay.io/acme/os:12@${D}`);
  });
});
