/**
 * `strata prune` as a child process against a local Strata and a real registry: five revisions of a track
 * pushed as images and recorded as Succeeded builds, one old revision's image kept by a pool for rollback.
 * A dry run lists what would go and changes nothing; a real run deletes the image from the registry (its
 * tag no longer resolves), marks the build pruned and keeps the rest. `strata plan --track` of that build
 * track shows which image each cluster gets.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BuildDefinitionSchema,
  type BuildRecord,
  buildMatrix,
  preparedBuild,
  settleAttempt,
  startAttempt,
} from '../../functions/core/builds/index.ts';
import type { Track } from '../../functions/core/model.ts';
import { DEFAULT_STRATEGY } from '../../functions/core/tracks/index.ts';
import { type RunningStrata, startStrata } from '../../local/start.ts';
import { loadScenario } from '../../sim/index.ts';
import { fleetScenario } from '../rollout/scenarios.ts';
import { strataAt } from '../support/cli.ts';
import {
  OciLayout,
  skopeoDigest,
  skopeoPush,
  startRegistry,
  type TestRegistry,
} from '../support/registry.ts';

let strata: RunningStrata;
let registry: TestRegistry;
let layout: OciLayout;
let builds: BuildRecord[] = [];

const run = (args: string[]) => strataAt(strata.url, args);

const tagOf = (b: BuildRecord) => `${b.target.host}/${b.target.repository}:${b.target.tag}`;
const imageOf = (b: BuildRecord) => `${b.target.host}/${b.target.repository}@${b.digest}`;
const resolves = (reference: string) =>
  skopeoDigest(reference).then(
    (digest) => digest,
    () => null,
  );

/** Revision `n`'s definition (a different Containerfile each). */
const definition = (n: number) =>
  BuildDefinitionSchema.parse({
    containerfile: `FROM quay.io/acme/os:stream\nRUN echo ${n}\n`,
    repository: `${registry.host}/acme/layered`,
  });

/** A track building revision `n`. */
const trackAt = (name: string, n: number): Track => ({
  name,
  image: { host: registry.host, repository: 'acme/layered', tag: 'prod' },
  targets: { clusterSelector: {}, pools: ['worker'] },
  strategy: DEFAULT_STRATEGY,
  build: definition(n),
});

/** Revision `n` of the track, built and pushed at minute `n`. */
async function pushedBuild(n: number): Promise<BuildRecord> {
  const def = definition(n);
  const base = `quay.io/acme/os@sha256:${'1'.repeat(64)}`;
  const entry = buildMatrix('layered', def, [{ clusterId: 'alpha', base, release: '4.18.12' }]).entries[0]!;
  const at = `2026-12-02T10:0${n}:00.000Z`;
  const prepared = preparedBuild(entry, def, at);
  layout.tag(`r${n}`, layout.image(`layered-${n}`));
  await skopeoPush(layout, `r${n}`, tagOf(prepared));
  const digest = await skopeoDigest(tagOf(prepared));
  return settleAttempt(startAttempt(prepared, at), { ok: true, digest, log: '' }, at);
}

beforeAll(async () => {
  registry = await startRegistry();
  layout = new OciLayout();
  builds = [];
  for (const n of [1, 2, 3, 4, 5]) builds.push(await pushedBuild(n));
  const scenario = loadScenario(fleetScenario({ clusters: [{ name: 'alpha', nodes: 1 }] }));
  strata = await startStrata({ scenario, port: 0, timeScale: 200, onWarning: () => {} });
  const { stores } = strata.runtime.context;
  for (const b of builds) await stores.builds.createBuild(b);
  // A pool keeps revision 1's image for a rollback: pruning must leave it.
  const [pool] = await stores.pools.listAllPools();
  await stores.pools.updatePool(pool!.clusterId, pool!.pool, (p) => ({
    ...p,
    rollbackTo: { config: '', image: imageOf(builds[0]!) },
  }));
}, 120_000);

afterAll(async () => {
  await strata?.stop();
  await registry?.stop();
  layout?.remove();
});

describe('strata prune', { timeout: 120_000 }, () => {
  it('a dry run lists the old revision no pool uses and deletes nothing', async () => {
    const out = await run(['prune', '--dry-run']);
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    expect(out.stdout).toContain(
      `would prune ${builds[1]!.id}: ${tagOf(builds[1]!)} (${imageOf(builds[1]!)})`,
    );
    expect(out.stdout).not.toContain(builds[0]!.id);
    expect(out.stdout).toMatch(/Dry run: 1 build\(s\) would prune, 0 failed; kept the newest 3 revision/);
    for (const b of builds) expect(await resolves(tagOf(b))).toBe(b.digest);
    expect((await strata.runtime.context.stores.builds.getBuild(builds[1]!.id))?.prunedAt).toBeUndefined();
  });

  it('refuses --keep 0 as a usage error', async () => {
    const out = await run(['prune', '--keep', '0']);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('--keep: "0" is not a number of revisions from 1 to 100');
  });

  it('deletes the image from the registry, marks the build pruned, keeps the rest; a second run has nothing to do', async () => {
    const out = await run(['prune', '-o', 'json']);
    expect(out.code).toBe(0);
    const report = JSON.parse(out.stdout) as { builds: { id: string; outcome: string }[]; failed: number };
    expect(report).toMatchObject({ keep: 3, dryRun: false, failed: 0 });
    expect(report.builds.map((b) => [b.id, b.outcome])).toEqual([[builds[1]!.id, 'pruned']]);
    expect(await resolves(tagOf(builds[1]!))).toBeNull();
    expect(await resolves(tagOf(builds[0]!))).toBe(builds[0]!.digest);
    for (const b of builds.slice(2)) expect(await resolves(tagOf(b))).toBe(b.digest);
    const stored = await strata.runtime.context.stores.builds.getBuild(builds[1]!.id);
    expect(stored?.prunedAt).toEqual(expect.any(String));
    const again = await run(['prune', '--dry-run']);
    expect(again.stdout).toContain('Dry run: 0 build(s) would prune');
    const keepOne = await run(['prune', '--dry-run', '--keep', '1', '--track', 'layered', '-o', 'json']);
    const ids = (JSON.parse(keepOne.stdout) as { builds: { id: string }[] }).builds.map((b) => b.id);
    expect(ids.sort()).toEqual([builds[2]!.id, builds[3]!.id].sort());
  });
});

describe('strata plan --track (a build track)', { timeout: 120_000 }, () => {
  it("shows each target cluster's image of the current revision, or that it is pending", async () => {
    const { stores } = strata.runtime.context;
    await stores.tracks.saveTrack(trackAt('layered', 5));
    await stores.tracks.saveTrack(trackAt('layered-next', 6));
    const out = await run(['plan', '--track', 'layered']);
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    expect(out.stdout).toBe(
      [
        `Track layered: builds of revision ${builds[4]!.revision} → ${registry.host}/acme/layered`,
        `  alpha: ${imageOf(builds[4]!)} (4.18.12, FROM quay.io/acme/os@sha256:${'1'.repeat(64)})`,
        '',
      ].join('\n'),
    );
    const next = await run(['plan', '--track', 'layered-next', '-o', 'json']);
    expect(next.code).toBe(0);
    expect(JSON.parse(next.stdout).clusters).toEqual([
      expect.objectContaining({
        clusterId: 'alpha',
        image: null,
        pending: 'no build yet: the next build pass reads its base',
        refused: null,
      }),
    ]);
  });

  it('refuses a plan with neither an image nor a track, and a track that builds nothing', async () => {
    const bare = await run(['plan']);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain('plan: name an IMAGE, or a build track with --track');
    const { stores } = strata.runtime.context;
    await stores.tracks.saveTrack({ ...trackAt('plain', 1), build: undefined } as Track);
    const plain = await run(['plan', '--track', 'plain']);
    expect(plain.code).toBe(1);
    expect(plain.stderr).toContain('body.image: required: track plain has no build definition to plan');
  });
});
