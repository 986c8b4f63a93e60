import { describe, expect, it } from 'vitest';
import { BuildDefinitionSchema, buildMatrix, buildRevision } from '../../../functions/core/builds/index.ts';

const d = (c: string) => `sha256:${c.repeat(64)}`;
const def = (over: Record<string, unknown> = {}) =>
  BuildDefinitionSchema.parse({
    containerfile: 'FROM quay.io/acme/rhcos:stream\nRUN true\n',
    repository: 'registry.local/acme/layered',
    ...over,
  });

describe('build matrix', () => {
  it('builds once per distinct base: clusters on one release share a build, another release gets its own', () => {
    const definition = def();
    const revision = buildRevision(definition);
    const matrix = buildMatrix('layered', definition, [
      { clusterId: 'b', base: `quay.io/acme/rhcos@${d('1')}`, release: '4.16.3' },
      { clusterId: 'a', base: `quay.io/acme/rhcos@${d('1')}`, release: '4.16.3' },
      { clusterId: 'c', base: `quay.io/acme/rhcos@${d('2')}`, release: '4.17.0' },
    ]);
    expect(matrix.refused).toEqual([]);
    expect(matrix.entries).toEqual([
      {
        buildId: `layered-${revision}-111111111111-amd64`,
        track: 'layered',
        revision,
        arch: 'amd64',
        release: '4.16.3',
        base: { host: 'quay.io', repository: 'acme/rhcos', digest: d('1') },
        target: { host: 'registry.local', repository: 'acme/layered', tag: `4.16.3-${revision}` },
        clusters: ['a', 'b'],
      },
      expect.objectContaining({
        release: '4.17.0',
        clusters: ['c'],
        target: expect.objectContaining({ tag: `4.17.0-${revision}` }),
      }),
    ]);
  });

  it('one build per architecture, the architecture in the tag', () => {
    const matrix = buildMatrix('t', def({ architectures: ['amd64', 'arm64'] }), [
      { clusterId: 'a', base: `quay.io/acme/rhcos@${d('1')}`, release: '4.16.3' },
    ]);
    expect(matrix.entries.map((e) => [e.arch, e.target.tag.endsWith(`-${e.arch}`)])).toEqual([
      ['amd64', true],
      ['arm64', true],
    ]);
  });

  it('names a base without a release by its digest, and keeps two bases claiming one release apart', () => {
    const matrix = buildMatrix('t', def(), [
      { clusterId: 'a', base: `quay.io/acme/rhcos@${d('1')}`, release: null },
      { clusterId: 'b', base: `quay.io/acme/rhcos@${d('2')}`, release: '4.16.3' },
      { clusterId: 'c', base: `quay.io/acme/rhcos@${d('3')}`, release: '4.16.3' },
    ]);
    expect(matrix.entries.map((e) => e.release)).toEqual([
      'base-111111111111',
      '4.16.3-222222222222',
      '4.16.3-333333333333',
    ]);
    expect(new Set(matrix.entries.map((e) => e.target.tag)).size).toBe(3);
  });

  it('refuses clusters whose base is unknown, unpinned or of another stream, with the reason', () => {
    const matrix = buildMatrix('t', def(), [
      { clusterId: 'a', base: null, release: null, error: 'no ControllerConfig' },
      { clusterId: 'b', base: 'quay.io/acme/rhcos:latest', release: null },
      { clusterId: 'c', base: `quay.io/other/os@${d('1')}`, release: '4.16.3' },
    ]);
    expect(matrix.entries).toEqual([]);
    expect(matrix.refused).toEqual([
      { clusterId: 'a', reason: 'base image unknown: no ControllerConfig' },
      { clusterId: 'b', reason: 'base image quay.io/acme/rhcos:latest is not pinned by digest' },
      { clusterId: 'c', reason: "base quay.io/other/os is not the build's base stream quay.io/acme/rhcos" },
    ]);
  });
});
