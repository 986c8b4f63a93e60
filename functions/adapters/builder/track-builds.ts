/**
 * One build pass of a track (run by a tick and on request): reads the base each target cluster runs (mco:
 * ControllerConfig and ClusterVersion; agent clusters: the base stream's tag resolved), plans the matrix
 * (core/builds), records the builds it lacks, runs every due attempt through the builder, and once the
 * matrix is settled creates the rollout of the release set (each cluster its own build's digest) and sends
 * its first plan message. A moved base is a new matrix entry, so the next pass rebuilds on it (or records
 * the build awaiting approval when the track says so) and rolls out by the track's strategy.
 */
import * as builds from '../../core/builds/index.ts';
import type { ClusterRecord } from '../../core/clusters.ts';
import { clusterDriver } from '../../core/clusters.ts';
import type { Track } from '../../core/model.ts';
import type { MessageQueue, PlanRolloutMessage } from '../../core/ports.ts';
import type { TagResolver } from '../../core/registry.ts';
import type { ClusterConnector } from '../../core/rollout/cluster-port.ts';
import { rolloutFleet } from '../../core/rollout/pool-targets.ts';
import type { Stores } from '../../core/stores.ts';

/** What a build pass needs. */
export interface TrackBuildDeps {
  stores: Pick<Stores, 'tracks' | 'clusters' | 'rollouts' | 'builds'>;
  clusters: ClusterConnector;
  /** Resolves the base stream's tag for agent clusters. */
  resolver: TagResolver;
  builder: builds.Builder;
  planQueue: MessageQueue<PlanRolloutMessage>;
  now?: () => Date;
  log?: (entry: Record<string, unknown>) => void;
}

/** What one pass found and did. */
export interface TrackBuildPass {
  track: string;
  matrix: builds.BuildMatrix;
  /** The matrix's builds as the pass left them. */
  builds: builds.BuildRecord[];
  set: builds.ReleaseSet;
  /** The rollout of the release set, when the matrix is settled and some cluster has an image. */
  rolloutId: string | null;
  /** Whether this pass created that rollout (false: it existed, the set is unchanged). */
  created: boolean;
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** The base one target cluster runs. */
export async function clusterBase(
  deps: Pick<TrackBuildDeps, 'clusters' | 'resolver'>,
  cluster: ClusterRecord,
  stream: builds.BaseStream,
): Promise<builds.ClusterBase> {
  try {
    const connected = await deps.clusters.connect(cluster.id);
    if (clusterDriver(connected.record) === 'mco') {
      const facts = await connected.mco.readCluster();
      const base = facts.controller?.baseOSContainerImage || null;
      return base
        ? { clusterId: cluster.id, base, release: facts.version }
        : {
            clusterId: cluster.id,
            base: null,
            release: null,
            error: 'no ControllerConfig baseOSContainerImage',
          };
    }
    // Agent clusters run what the stream's tag points at now: the track declares the base.
    const { digest } = await deps.resolver.resolveTag(stream);
    return { clusterId: cluster.id, base: `${stream.host}/${stream.repository}@${digest}`, release: null };
  } catch (error) {
    return { clusterId: cluster.id, base: null, release: null, error: message(error) };
  }
}

/** Runs the due attempts of one build, writing each state; returns it settled (or awaiting approval). */
async function runAttempts(
  deps: TrackBuildDeps,
  def: builds.BuildDefinition,
  stored: builds.BuildRecord,
): Promise<builds.BuildRecord> {
  let build = stored;
  const at = () => (deps.now ?? (() => new Date()))().toISOString();
  while (builds.attemptDue(build)) {
    build = await deps.stores.builds.putBuildIfVersion(builds.startAttempt(build, at()), build.version);
    deps.log?.({ level: 'INFO', message: 'build attempt', buildId: build.id, attempt: build.attempts });
    const outcome = await deps.builder
      .build(builds.buildRequest(build, def))
      .catch(
        (error): builds.BuildOutcome => ({ ok: false, interrupted: true, error: message(error), log: '' }),
      );
    build = await deps.stores.builds.putBuildIfVersion(
      builds.settleAttempt(build, outcome, at()),
      build.version,
    );
    if (!outcome.ok)
      deps.log?.({ level: 'WARN', message: `build ${build.status}`, buildId: build.id, error: build.error });
  }
  return build;
}

/** One build pass of `track` (see the module comment). */
export async function runTrackBuilds(deps: TrackBuildDeps, track: Track): Promise<TrackBuildPass> {
  const def = track.build;
  if (!def) throw new builds.BuildDefinitionError('', `track ${track.name} has no build definition`);
  const now = (deps.now ?? (() => new Date()))().toISOString();
  const fleet = rolloutFleet({ targets: track.targets }, await deps.stores.clusters.listClusters());
  const stream = builds.baseStream(def);
  const bases = await Promise.all(fleet.map((c) => clusterBase(deps, c, stream)));
  const matrix = builds.buildMatrix(track.name, def, bases);
  const earlier = await deps.stores.builds.listBuildsByTrack(track.name);
  const byId = new Map(earlier.map((b) => [b.id, b]));
  // A new base under an unchanged definition is a rebuild: it waits for approval when the track says so.
  const rebuildWaits = def.rebuild === 'approval' && earlier.some((b) => b.revision === matrix.revision);
  const current: builds.BuildRecord[] = [];
  for (const entry of matrix.entries) {
    let build = byId.get(entry.buildId) ?? (await deps.stores.builds.getBuild(entry.buildId));
    // A pruned build's image is gone from the registry: a definition back at its revision builds it again.
    if (build?.prunedAt)
      build = await deps.stores.builds.putBuildIfVersion(
        builds.preparedBuild(entry, def, now),
        build.version,
      );
    if (!build) {
      const prepared = builds.preparedBuild(entry, def, now, rebuildWaits);
      await deps.stores.builds.createBuild(prepared);
      build = (await deps.stores.builds.getBuild(entry.buildId)) ?? prepared;
    }
    current.push(await runAttempts(deps, def, build));
  }
  const set = builds.releaseSet(matrix, current);
  const rollout = builds.rolloutForBuilds(track, set, `build:${matrix.revision}`, now);
  let created = false;
  if (rollout) {
    created = (await deps.stores.rollouts.createRollout(rollout)).created;
    if (created) await deps.planQueue.send({ rolloutId: rollout.id });
  }
  return { track: track.name, matrix, builds: current, set, rolloutId: rollout?.id ?? null, created };
}
