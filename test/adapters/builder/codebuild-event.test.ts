/**
 * CodeBuild "Build State Change" events recorded on build items (dynalite), the succeeded build's digest read
 * from a real registry the way the stack's handler reads ECR: the tag the build pushed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordCodeBuildEvent } from '../../../functions/adapters/builder/index.ts';
import { OciRegistryClient, staticCredentials } from '../../../functions/adapters/registry/index.ts';
import { dynamoStores } from '../../../functions/adapters/store/index.ts';
import {
  BuildDefinitionSchema,
  type BuildRecord,
  buildMatrix,
  preparedBuild,
  startAttempt,
} from '../../../functions/core/builds/index.ts';
import type { Stores } from '../../../functions/core/stores.ts';
import { startTestTable, type TestTable } from '../../support/dynalite.ts';
import {
  OciLayout,
  skopeoDigest,
  skopeoPush,
  startRegistry,
  type TestRegistry,
} from '../../support/registry.ts';

const T0 = '2026-12-02T10:00:00.000Z';
let table: TestTable;
let registry: TestRegistry;
let layout: OciLayout;
let stores: Stores;

beforeAll(async () => {
  [table, registry] = await Promise.all([startTestTable(), startRegistry()]);
  stores = dynamoStores({ doc: table.doc, tableName: table.tableName });
  layout = new OciLayout();
}, 60_000);

afterAll(async () => {
  await Promise.all([table?.close(), registry?.stop()]);
  layout?.remove();
});

/** A build of release `release`, Building (its first attempt started), stored. */
async function building(release: string): Promise<BuildRecord> {
  const def = BuildDefinitionSchema.parse({
    containerfile: 'FROM quay.io/acme/os:stream\nRUN true\n',
    repository: `${registry.host}/acme/layered`,
  });
  const base = `quay.io/acme/os@sha256:${release.replace(/\D/g, '').padEnd(64, '0')}`;
  const entry = buildMatrix('layered', def, [{ clusterId: 'a', base, release }]).entries[0]!;
  const build = startAttempt(preparedBuild(entry, def, T0), T0);
  await stores.builds.createBuild(build);
  return (await stores.builds.getBuild(build.id))!;
}

/** A CodeBuild state-change event for `buildId` (null: a build Strata did not start). */
function event(buildId: string | null, status: string, phases: object[] = []) {
  return {
    version: '0',
    'detail-type': 'CodeBuild Build State Change',
    source: 'aws.codebuild',
    detail: {
      'build-status': status,
      'project-name': 'strata-builds',
      'build-id': 'arn:aws:codebuild:eu-west-1:123456789012:build/strata-builds:0f0e',
      'additional-information': {
        environment: {
          'environment-variables': [
            { name: 'DESTINATION', type: 'PLAINTEXT', value: 'x' },
            ...(buildId ? [{ name: 'STRATA_BUILD_ID', type: 'PLAINTEXT', value: buildId }] : []),
          ],
        },
        logs: { 'deep-link': 'https://console.aws.amazon.com/cloudwatch/home#logEvent:group=strata' },
        phases,
      },
    },
  };
}

const deps = () => ({
  stores,
  resolver: new OciRegistryClient({ credentials: staticCredentials({ registries: {} }) }),
  now: () => new Date('2026-12-02T10:05:00.000Z'),
});

describe('CodeBuild state-change events', () => {
  it('SUCCEEDED: the build is Succeeded with the digest its pushed tag points at; a repeated delivery changes nothing', async () => {
    const build = await building('4.18.12');
    layout.tag('built', layout.image('codebuild-built'));
    const tag = `${build.target.host}/${build.target.repository}:${build.target.tag}`;
    await skopeoPush(layout, 'built', tag);
    const digest = await skopeoDigest(tag);
    expect(await recordCodeBuildEvent(deps(), event(build.id, 'IN_PROGRESS'))).toEqual({
      ignored: 'in progress',
      buildId: build.id,
    });
    expect(await recordCodeBuildEvent(deps(), event(build.id, 'SUCCEEDED'))).toEqual({
      recorded: 'Succeeded',
      buildId: build.id,
    });
    const stored = await stores.builds.getBuild(build.id);
    expect(stored).toMatchObject({ status: 'Succeeded', digest, attempts: 1, version: build.version + 1 });
    expect(await recordCodeBuildEvent(deps(), event(build.id, 'SUCCEEDED'))).toEqual({
      ignored: 'already Succeeded',
      buildId: build.id,
    });
    expect((await stores.builds.getBuild(build.id))?.version).toBe(build.version + 1);
  });

  it('FAILED: the build is Failed with the failed phase and its context as the reason and the log link in the tail', async () => {
    const build = await building('4.19.1');
    await recordCodeBuildEvent(
      deps(),
      event(build.id, 'FAILED', [
        { 'phase-type': 'PROVISIONING', 'phase-status': 'SUCCEEDED' },
        {
          'phase-type': 'BUILD',
          'phase-status': 'FAILED',
          'phase-context': [
            'COMMAND_EXECUTION_ERROR: Error while executing command: docker build. Reason: exit status 1',
          ],
        },
      ]),
    );
    const stored = await stores.builds.getBuild(build.id);
    expect(stored?.status).toBe('Failed');
    expect(stored?.error).toBe(
      'CodeBuild FAILED: BUILD FAILED: COMMAND_EXECUTION_ERROR: Error while executing command: docker build. Reason: exit status 1',
    );
    expect(stored?.logTail?.at(-1)).toBe(
      'log: https://console.aws.amazon.com/cloudwatch/home#logEvent:group=strata',
    );
  });

  it('SUCCEEDED with no pushed tag is Failed; STOPPED is Interrupted; other builds are ignored', async () => {
    const lost = await building('4.20.3');
    await recordCodeBuildEvent(deps(), event(lost.id, 'SUCCEEDED'));
    expect((await stores.builds.getBuild(lost.id))?.error).toBe(
      'CodeBuild succeeded but the pushed tag could not be resolved',
    );
    const stopped = await building('4.21.0');
    await recordCodeBuildEvent(deps(), event(stopped.id, 'STOPPED'));
    expect(await stores.builds.getBuild(stopped.id)).toMatchObject({
      status: 'Interrupted',
      error: 'CodeBuild STOPPED: STOPPED',
    });
    expect(await recordCodeBuildEvent(deps(), event(null, 'SUCCEEDED'))).toEqual({
      ignored: 'not a Strata build',
      buildId: null,
    });
    expect(await recordCodeBuildEvent(deps(), event('layered-unknown', 'FAILED'))).toEqual({
      ignored: 'no such build',
      buildId: 'layered-unknown',
    });
    await expect(recordCodeBuildEvent(deps(), { source: 'aws.ecr' })).rejects.toThrow();
  });
});
