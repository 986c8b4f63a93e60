/**
 * `strata get builds` and `strata describe build` as child processes against a local Strata whose table
 * holds builds in each state (made by core/builds' transitions, written through the build store).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BuildDefinitionSchema,
  buildMatrix,
  preparedBuild,
  settleAttempt,
  startAttempt,
} from '../../functions/core/builds/index.ts';
import { type RunningStrata, startStrata } from '../../local/start.ts';
import { loadScenario } from '../../sim/index.ts';
import { fleetScenario } from '../rollout/scenarios.ts';
import { strataAt } from '../support/cli.ts';

const d = (c: string) => `sha256:${c.repeat(64)}`;
let strata: RunningStrata;

const run = (args: string[]) => strataAt(strata.url, args);

const definition = BuildDefinitionSchema.parse({
  containerfile: 'FROM quay.io/acme/os:stream\nRUN exit 7\n',
  repository: 'registry.local/acme/layered',
});
const matrix = buildMatrix('layered', definition, [
  { clusterId: 'a', base: `quay.io/acme/os@${d('1')}`, release: '4.18.12' },
  { clusterId: 'b', base: `quay.io/acme/os@${d('2')}`, release: '4.20.3' },
  { clusterId: 'c', base: `quay.io/acme/os@${d('3')}`, release: '4.21.0' },
]);
const T0 = new Date().toISOString();
const [onA, onB, onC] = matrix.entries.map((e) => preparedBuild(e, definition, T0));
let failed = onA!;
for (let i = 0; i < 3; i++)
  failed = settleAttempt(
    startAttempt(failed, T0),
    {
      ok: false,
      error: 'build failed: error building at STEP "RUN exit 7": exit status 7',
      log: 'STEP 2/2: RUN exit 7\nerror building at STEP "RUN exit 7": exit status 7',
    },
    T0,
  );
const succeeded = settleAttempt(startAttempt(onB!, T0), { ok: true, digest: d('b'), log: '' }, T0);
const building = startAttempt(onC!, T0);
const awaiting = preparedBuild(
  { ...matrix.entries[0]!, buildId: 'layered-rebuild-amd64' },
  definition,
  T0,
  true,
);

beforeAll(async () => {
  const scenario = loadScenario(fleetScenario({ clusters: [{ name: 'alpha', nodes: 1 }] }));
  strata = await startStrata({ scenario, port: 0, timeScale: 200, onWarning: () => {} });
  for (const b of [failed, succeeded, building, awaiting])
    await strata.runtime.context.stores.builds.createBuild(b);
}, 60_000);

afterAll(async () => {
  await strata?.stop();
});

describe('strata get builds / describe build', { timeout: 120_000 }, () => {
  it('lists builds with MachineOSBuild state columns, base, revision, digest and age', async () => {
    const out = await run(['get', 'builds']);
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(
      /^NAME +PREPARED +BUILDING +SUCCEEDED +INTERRUPTED +FAILED +BASE +REVISION +DIGEST +AGE\n/,
    );
    const row = (id: string) =>
      out.stdout
        .split('\n')
        .find((l) => l.startsWith(id))!
        .split(/ +/);
    expect(row(failed.id).slice(1, 9)).toEqual([
      'False',
      'False',
      'False',
      'False',
      'True',
      '4.18.12',
      matrix.revision,
      '-',
    ]);
    expect(row(succeeded.id).slice(1, 9)).toEqual([
      'False',
      'False',
      'True',
      'False',
      'False',
      '4.20.3',
      matrix.revision,
      `sha256:${'b'.repeat(12)}`,
    ]);
    expect(row(building.id).slice(1, 6)).toEqual(['False', 'True', 'False', 'False', 'False']);
    const wide = await run(['get', 'builds', '--track', 'layered', '-o', 'wide']);
    expect(wide.stdout).toContain(`3/3`);
    expect(wide.stdout).toContain(`registry.local/acme/layered:4.20.3-${matrix.revision}`);
    const none = await run(['get', 'builds', '--track', 'other']);
    expect(none.stdout).not.toContain('layered-');
  });

  it('a rebuild awaiting approval shows it, and POST /v1/builds/{id}/approve lets it start (once)', async () => {
    const listed = await run(['get', 'builds']);
    expect(
      listed.stdout
        .split('\n')
        .find((l) => l.startsWith(awaiting.id))!
        .split(/ +/)[1],
    ).toBe('Approval');
    const post = (path: string) =>
      fetch(`${strata.url}/v1/builds/${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
    const approve = () => post(`${awaiting.id}/approve`);
    const first = await approve();
    expect(first.status).toBe(200);
    expect(await strata.runtime.context.stores.builds.getBuild(awaiting.id)).not.toHaveProperty(
      'awaitingApproval',
    );
    const again = await approve();
    expect(again.status).toBe(409);
    expect(((await again.json()) as { error: string }).error).toContain('awaits no approval');
    expect((await post(`${awaiting.id}/cancel`)).status).toBe(404);
  });

  it('describes a failed build with its error and log tail; an unknown build exits 1', async () => {
    const out = await run(['describe', 'build', failed.id]);
    expect(out.code).toBe(0);
    expect(out.stdout).toContain('Status:      Failed');
    expect(out.stdout).toContain('Attempts:    3/3');
    expect(out.stdout).toContain(`Base:        quay.io/acme/os@${d('1')}`);
    expect(out.stdout).toContain(
      'Error:       build failed: error building at STEP "RUN exit 7": exit status 7',
    );
    expect(out.stdout).toMatch(/Log \(last lines\):\n {2}STEP 2\/2: RUN exit 7\n/);
    const json = await run(['get', 'build', succeeded.id, '-o', 'json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ id: succeeded.id, status: 'Succeeded', digest: d('b') });
    const missing = await run(['describe', 'build', 'nope']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('build "nope" not found');
  });
});
