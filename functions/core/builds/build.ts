/**
 * Builds as objects, with MachineOSBuild's states: `Prepared` (waiting for its attempt), `Building`,
 * `Succeeded` (pushed, digest known), `Interrupted` (the builder lost it) and `Failed` (the build itself
 * failed). A Failed or Interrupted build with attempts left is tried again; after the last attempt it stays.
 */
import type { PinnedImage } from '../model.ts';
import { pinContainerfile } from './containerfile.ts';
import type { Architecture, BuildDefinition } from './definition.ts';
import { baseStream } from './definition.ts';
import { BuildStateError } from './errors.ts';
import type { MatrixEntry } from './matrix.ts';

/** A build's state. */
export type BuildStatus = 'Prepared' | 'Building' | 'Succeeded' | 'Interrupted' | 'Failed';

/** Every state, in `strata get builds` column order. */
export const BUILD_STATES: readonly BuildStatus[] = [
  'Prepared',
  'Building',
  'Succeeded',
  'Interrupted',
  'Failed',
];

/** The OCI annotations (and labels) naming the base a build was made from (image-spec annotations.md). */
export const BuildLabels = {
  baseName: 'org.opencontainers.image.base.name',
  baseDigest: 'org.opencontainers.image.base.digest',
  revision: 'org.opencontainers.image.revision',
  track: 'io.strata.track',
} as const;

/** Lines of a failed build's log kept on the build. */
export const LOG_TAIL_LINES = 40;

/** One build of a track (stored; see docs/builds.md). */
export interface BuildRecord {
  id: string;
  track: string;
  revision: string;
  arch: Architecture;
  release: string;
  /** The base the build is `FROM`, pinned. */
  base: PinnedImage;
  /** The base stream's tag (`host/repository:tag`), the base name the image is labelled with. */
  baseName: string;
  /** Where it is pushed. */
  target: { host: string; repository: string; tag: string };
  /** The clusters this build is for (on its base when it was planned). */
  clusters: string[];
  status: BuildStatus;
  /** Attempts started so far. */
  attempts: number;
  maxAttempts: number;
  /** The pushed image's digest (Succeeded). */
  digest: string | null;
  /** Why the last attempt failed or was interrupted. */
  error: string | null;
  /** The last lines of the failed attempt's log. */
  logTail: string[] | null;
  /** A rebuild on a moved base waiting for approval (the track's `rebuild: approval`): no attempt starts. */
  awaitingApproval?: boolean;
  /** When `strata prune` deleted its tag from the registry: the image is gone, the record stays as history. */
  prunedAt?: string;
  createdAt: string;
  updatedAt: string;
  version: number;
}

/**
 * A new build of a matrix entry, Prepared; `awaitingApproval` when it is a rebuild on a moved base of a
 * track whose rebuilds wait for approval.
 */
export function preparedBuild(
  entry: MatrixEntry,
  def: BuildDefinition,
  now: string,
  awaitingApproval = false,
): BuildRecord {
  const stream = baseStream(def);
  return {
    id: entry.buildId,
    track: entry.track,
    revision: entry.revision,
    arch: entry.arch,
    release: entry.release,
    base: entry.base,
    baseName: `${stream.host}/${stream.repository}:${stream.tag}`,
    target: entry.target,
    clusters: entry.clusters,
    status: 'Prepared',
    attempts: 0,
    maxAttempts: def.maxAttempts,
    digest: null,
    error: null,
    logTail: null,
    ...(awaitingApproval ? { awaitingApproval: true } : {}),
    createdAt: now,
    updatedAt: now,
    version: 1,
  };
}

/** Whether another attempt is due: Prepared, or Failed/Interrupted with attempts left. */
export function attemptDue(build: BuildRecord): boolean {
  if (build.awaitingApproval) return false;
  if (build.status === 'Prepared') return true;
  return (build.status === 'Failed' || build.status === 'Interrupted') && build.attempts < build.maxAttempts;
}

/** Whether nothing more will happen to it: Succeeded, or Failed/Interrupted with no attempt left. */
export function isSettled(build: BuildRecord): boolean {
  if (build.awaitingApproval) return false;
  return build.status === 'Succeeded' || (build.status !== 'Building' && !attemptDue(build));
}

/** The build approved: its attempts may start. @throws BuildStateError when it awaits no approval. */
export function approveBuild(build: BuildRecord, now: string): BuildRecord {
  if (!build.awaitingApproval) throw new BuildStateError(build.id, 'awaits no approval');
  const { awaitingApproval: _, ...rest } = build;
  return { ...rest, updatedAt: now };
}

/** The build starting its next attempt. @throws BuildStateError when no attempt is due. */
export function startAttempt(build: BuildRecord, now: string): BuildRecord {
  if (!attemptDue(build))
    throw new BuildStateError(
      build.id,
      `${build.status} after ${build.attempts} of ${build.maxAttempts} attempts: no attempt due`,
    );
  return { ...build, status: 'Building', attempts: build.attempts + 1, updatedAt: now };
}

function building(build: BuildRecord, what: string): void {
  if (build.status !== 'Building')
    throw new BuildStateError(build.id, `${what}: it is ${build.status}, not Building`);
}

/** The attempt pushed `digest`. */
export function buildSucceeded(build: BuildRecord, digest: string, now: string): BuildRecord {
  building(build, 'succeeded');
  return { ...build, status: 'Succeeded', digest, error: null, logTail: null, updatedAt: now };
}

/** The attempt failed (a bad Containerfile, a denied pull or push): the reason and the log's last lines. */
export function buildFailed(build: BuildRecord, error: string, log: string, now: string): BuildRecord {
  building(build, 'failed');
  return { ...build, status: 'Failed', error, logTail: logTail(log), updatedAt: now };
}

/** The builder lost the attempt (it stopped, or the build was cancelled). */
export function buildInterrupted(build: BuildRecord, reason: string, now: string): BuildRecord {
  building(build, 'interrupted');
  return { ...build, status: 'Interrupted', error: reason, updatedAt: now };
}

/** The last {@link LOG_TAIL_LINES} non-empty lines of a log. */
export function logTail(log: string, lines = LOG_TAIL_LINES): string[] {
  return log
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => l.length > 0)
    .slice(-lines);
}

/** What a builder is asked to do: one image, fully specified. */
export interface BuildRequest {
  buildId: string;
  /** The Containerfile with its base stream pinned to the build's base digest. */
  containerfile: string;
  args: Record<string, string>;
  /** Labels and manifest annotations: the base's name and digest, the revision, the track. */
  labels: Record<string, string>;
  /** OCI platform, `linux/<arch>`. */
  platform: string;
  /** `host/repository:tag` to push. */
  destination: string;
}

/** The request for a build of definition `def`. */
export function buildRequest(build: BuildRecord, def: BuildDefinition): BuildRequest {
  return {
    buildId: build.id,
    containerfile: pinContainerfile(def.containerfile, baseStream(def), build.base.digest),
    args: { ...def.args },
    labels: {
      [BuildLabels.baseName]: build.baseName,
      [BuildLabels.baseDigest]: build.base.digest,
      [BuildLabels.revision]: build.revision,
      [BuildLabels.track]: build.track,
    },
    platform: `linux/${build.arch}`,
    destination: `${build.target.host}/${build.target.repository}:${build.target.tag}`,
  };
}

/** What a builder reports of one attempt. */
export type BuildOutcome =
  | { ok: true; digest: string; log: string }
  | { ok: false; error: string; log: string; interrupted?: boolean };

/** The builder port: builds and pushes one image (locally buildah; on AWS CodeBuild). */
export interface Builder {
  build(request: BuildRequest): Promise<BuildOutcome>;
}

/** The build after an attempt's outcome. */
export function settleAttempt(build: BuildRecord, outcome: BuildOutcome, now: string): BuildRecord {
  if (outcome.ok) return buildSucceeded(build, outcome.digest, now);
  if (outcome.interrupted) return buildInterrupted(build, outcome.error, now);
  return buildFailed(build, outcome.error, outcome.log, now);
}
