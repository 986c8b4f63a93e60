/**
 * The buildah builder against a real registry: a busybox base built and pushed in the test, a track's
 * Containerfile with a RUN step built on it pinned by digest, pushed, and the pushed digest resolved
 * through Strata's registry client; a broken Containerfile fails every attempt and nothing rolls out.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildahBuilder } from '../../../functions/adapters/builder/index.ts';
import { OciRegistryClient, staticCredentials } from '../../../functions/adapters/registry/index.ts';
import { createImageMetadataReader } from '../../../functions/adapters/registry/manifest.ts';
import {
  BuildDefinitionSchema,
  type BuildRecord,
  buildMatrix,
  buildRequest,
  preparedBuild,
  releaseSet,
  rolloutForBuilds,
  settleAttempt,
  startAttempt,
} from '../../../functions/core/builds/index.ts';
import type { Track } from '../../../functions/core/model.ts';
import { DEFAULT_STRATEGY } from '../../../functions/core/tracks/index.ts';
import { pushBaseImage, runInImage, type TestStorage, testStorage } from '../../support/base-image.ts';
import { startRegistry, type TestRegistry } from '../../support/registry.ts';

const T0 = '2026-12-02T10:00:00.000Z';
let registry: TestRegistry;
let storage: TestStorage;
let builderStorage: TestStorage;
let baseDigest: string;

beforeAll(async () => {
  registry = await startRegistry();
  storage = testStorage();
  builderStorage = testStorage();
  baseDigest = await pushBaseImage(storage, `${registry.host}/acme/os:stream`, '4.16.3');
}, 120_000);

afterAll(async () => {
  await registry?.stop();
  storage?.dispose();
  builderStorage?.dispose();
});

const trackWith = (containerfile: string): Track => ({
  name: 'layered',
  image: { host: registry.host, repository: 'acme/layered', tag: 'prod' },
  targets: { clusterSelector: {}, pools: ['worker'] },
  strategy: DEFAULT_STRATEGY,
  build: BuildDefinitionSchema.parse({
    containerfile,
    repository: `${registry.host}/acme/layered`,
    args: { GREETING: 'hello' },
  }),
});

/** Runs each build's attempts with the builder until it settles. */
async function runBuilds(track: Track, builds: BuildRecord[]): Promise<BuildRecord[]> {
  const builder = buildahBuilder({ root: builderStorage.root, runroot: builderStorage.runroot });
  const settled: BuildRecord[] = [];
  for (let build of builds) {
    while (
      build.status === 'Prepared' ||
      (build.status !== 'Succeeded' && build.attempts < build.maxAttempts)
    ) {
      build = startAttempt(build, T0);
      build = settleAttempt(build, await builder.build(buildRequest(build, track.build!)), T0);
    }
    settled.push(build);
  }
  return settled;
}

describe('buildah builder', () => {
  it('builds the Containerfile on the pinned base, pushes it, and the registry serves that digest with the base annotations', async () => {
    // Prepare
    const track = trackWith(
      `FROM ${registry.host}/acme/os:stream\nARG GREETING\nRUN echo "$GREETING from $(cat /etc/strata-release)" > /etc/layered\n`,
    );
    const matrix = buildMatrix(track.name, track.build!, [
      { clusterId: 'east', base: `${registry.host}/acme/os@${baseDigest}`, release: '4.16.3' },
    ]);
    // Act
    const [build] = await runBuilds(
      track,
      matrix.entries.map((e) => preparedBuild(e, track.build!, T0)),
    );
    // Assess
    expect(build).toMatchObject({ status: 'Succeeded', attempts: 1, error: null });
    const client = new OciRegistryClient({ credentials: staticCredentials({ registries: {} }) });
    const resolved = await client.resolveTag({
      host: registry.host,
      repository: 'acme/layered',
      tag: build!.target.tag,
    });
    expect(resolved.digest).toBe(build!.digest);
    expect(build!.target.tag).toBe(`4.16.3-${matrix.revision}`);
    const metadata = await createImageMetadataReader(client).read({
      host: registry.host,
      repository: 'acme/layered',
      digest: build!.digest!,
    });
    expect(metadata.annotations).toMatchObject({
      'org.opencontainers.image.base.name': `${registry.host}/acme/os:stream`,
      'org.opencontainers.image.base.digest': baseDigest,
      'org.opencontainers.image.revision': matrix.revision,
    });
    const inspected = JSON.parse(
      execFileSync(
        'skopeo',
        ['inspect', '--tls-verify=false', `docker://${registry.host}/acme/layered@${build!.digest}`],
        { encoding: 'utf8' },
      ),
    ) as { Labels: Record<string, string> };
    expect(inspected.Labels).toMatchObject({
      'org.opencontainers.image.base.digest': baseDigest,
      'io.strata.track': 'layered',
    });
    const out = await runInImage(storage, `${registry.host}/acme/layered@${build!.digest}`, [
      'cat',
      '/etc/layered',
    ]);
    expect(out.trim()).toBe('hello from 4.16.3');
  }, 180_000);

  it('a broken Containerfile fails every attempt with the error and log tail, and nothing rolls out', async () => {
    const track = trackWith(`FROM ${registry.host}/acme/os:stream\nRUN echo about to fail && exit 7\n`);
    const matrix = buildMatrix(track.name, track.build!, [
      { clusterId: 'east', base: `${registry.host}/acme/os@${baseDigest}`, release: '4.16.3' },
    ]);
    const [build] = await runBuilds(
      track,
      matrix.entries.map((e) => preparedBuild(e, track.build!, T0)),
    );
    expect(build).toMatchObject({ status: 'Failed', attempts: 3, digest: null });
    expect(build!.error).toMatch(/^build failed: .*exit status 7/);
    expect(build!.logTail!.join('\n')).toContain('about to fail');
    const set = releaseSet(matrix, [build!]);
    expect(set.refused).toEqual([
      { clusterId: 'east', reason: `build ${build!.id} Failed: ${build!.error}` },
    ]);
    expect(rolloutForBuilds(track, set, 'build', T0)).toBeNull();
    const client = new OciRegistryClient({ credentials: staticCredentials({ registries: {} }) });
    await expect(
      client.resolveTag({ host: registry.host, repository: 'acme/layered', tag: build!.target.tag }),
    ).rejects.toThrow('manifest unknown');
  }, 180_000);
});
