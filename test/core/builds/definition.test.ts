import { describe, expect, it } from 'vitest';
import {
  BuildDefinitionSchema,
  baseStreamOf,
  buildRevision,
  pinContainerfile,
} from '../../../functions/core/builds/index.ts';
import { parseTrack } from '../../../functions/core/tracks/index.ts';

const CONTAINERFILE = 'FROM quay.io/acme/rhcos:4.16\nRUN echo layered > /etc/layered\n';
const DIGEST = `sha256:${'a'.repeat(64)}`;

const definition = (over: Record<string, unknown> = {}) =>
  BuildDefinitionSchema.parse({
    containerfile: CONTAINERFILE,
    repository: 'registry.local/acme/layered',
    ...over,
  });

describe('build definitions', () => {
  it('fills the defaults: amd64, 3 attempts, automatic rebuilds, no arguments', () => {
    const def = definition();
    expect(def).toMatchObject({
      args: {},
      repository: { host: 'registry.local', repository: 'acme/layered' },
      architectures: ['amd64'],
      maxAttempts: 3,
      rebuild: 'automatic',
    });
  });

  it('reads the base stream from the first FROM', () => {
    expect(
      baseStreamOf('ARG X=1\nFROM --platform=linux/amd64 quay.io/acme/rhcos:4.16 AS base\nFROM base\n'),
    ).toEqual({
      host: 'quay.io',
      repository: 'acme/rhcos',
      tag: '4.16',
    });
  });

  it.each([
    ['RUN true\n', 'has no FROM instruction'],
    [`FROM quay.io/acme/rhcos@${DIGEST}\n`, 'not a digest'],
    ['FROM $BASE\n', 'not a build argument'],
  ])('refuses a Containerfile %j, naming the field', (containerfile, why) => {
    const result = BuildDefinitionSchema.safeParse({
      containerfile,
      repository: 'registry.local/acme/layered',
    });
    expect(result.success).toBe(false);
    expect(result.error!.issues[0]!.path).toEqual(['containerfile']);
    expect(result.error!.issues[0]!.message).toContain(why);
  });

  it('refuses a tagged target repository and an unknown architecture', () => {
    expect(
      BuildDefinitionSchema.safeParse({ containerfile: CONTAINERFILE, repository: 'r.local/a:x' }).success,
    ).toBe(false);
    expect(
      BuildDefinitionSchema.safeParse({
        containerfile: CONTAINERFILE,
        repository: 'r.local/a',
        architectures: ['mips'],
      }).success,
    ).toBe(false);
  });

  it('a track file carries it, and a bad one is named by track and field', () => {
    const track = parseTrack(
      {
        name: 'layered',
        image: 'registry.local/acme/layered:prod',
        build: { containerfile: CONTAINERFILE, repository: 'registry.local/acme/layered' },
      },
      'tracks.yaml',
    );
    expect(track.build?.maxAttempts).toBe(3);
    expect(() =>
      parseTrack(
        {
          name: 'layered',
          image: 'registry.local/acme/layered:prod',
          build: { containerfile: 'RUN x', repository: 'registry.local/acme/layered' },
        },
        'tracks.yaml',
      ),
    ).toThrow('tracks.yaml: track "layered": build.containerfile: has no FROM instruction');
  });

  it('the revision changes with the Containerfile, arguments, repository and architectures, not with their order or the retry policy', () => {
    const base = buildRevision(definition({ args: { A: '1', B: '2' }, architectures: ['amd64', 'arm64'] }));
    expect(base).toMatch(/^[0-9a-f]{12}$/);
    expect(
      buildRevision(
        definition({ args: { B: '2', A: '1' }, architectures: ['arm64', 'amd64'], maxAttempts: 5 }),
      ),
    ).toBe(base);
    const changed = [
      definition({ args: { A: '1', B: '3' }, architectures: ['amd64', 'arm64'] }),
      definition({ args: { A: '1', B: '2' }, architectures: ['amd64'] }),
      definition({
        args: { A: '1', B: '2' },
        architectures: ['amd64', 'arm64'],
        repository: 'registry.local/acme/other',
      }),
      definition({
        args: { A: '1', B: '2' },
        architectures: ['amd64', 'arm64'],
        containerfile: `${CONTAINERFILE}RUN true\n`,
      }),
    ];
    for (const def of changed) expect(buildRevision(def)).not.toBe(base);
  });

  it('pins every FROM of the stream to the digest and leaves other stages alone', () => {
    const containerfile =
      'FROM quay.io/acme/rhcos:4.16 AS base\nFROM docker.io/library/golang:1.22 AS tools\nFROM base\nFROM quay.io/acme/rhcos:4.16\n';
    const pinned = pinContainerfile(containerfile, baseStreamOf(containerfile), DIGEST);
    expect(pinned.split('\n')).toEqual([
      `FROM quay.io/acme/rhcos@${DIGEST} AS base`,
      'FROM docker.io/library/golang:1.22 AS tools',
      'FROM base',
      `FROM quay.io/acme/rhcos@${DIGEST}`,
      '',
    ]);
  });
});
