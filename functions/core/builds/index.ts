/** Fleet image builds: definitions on a track, the build matrix, builds as objects, the compatibility gate. Pure. */
export {
  approveBuild,
  attemptDue,
  BUILD_STATES,
  type Builder,
  BuildLabels,
  type BuildOutcome,
  type BuildRecord,
  type BuildRequest,
  type BuildStatus,
  buildFailed,
  buildInterrupted,
  buildRequest,
  buildSucceeded,
  isSettled,
  LOG_TAIL_LINES,
  logTail,
  preparedBuild,
  settleAttempt,
  startAttempt,
} from './build.ts';
export {
  CODEBUILD_BUILD_ID_VARIABLE,
  type CodeBuildChange,
  codeBuildChange,
  codeBuildOutcome,
} from './codebuild.ts';
export { type BaseStream, baseStreamOf, pinContainerfile } from './containerfile.ts';
export {
  ARCHITECTURES,
  type Architecture,
  type BuildDefinition,
  BuildDefinitionSchema,
  baseStream,
  DEFAULT_BUILD_ATTEMPTS,
} from './definition.ts';
export { BuildDefinitionError, BuildStateError } from './errors.ts';
export { imageForCluster, type ReleaseSet, releaseSet, releaseSetDigest, rolloutForBuilds } from './gate.ts';
export {
  type BuildMatrix,
  buildMatrix,
  type ClusterBase,
  type ClusterRefusal,
  type MatrixEntry,
} from './matrix.ts';
export { buildPlacement, type ClusterPlacement } from './placement.ts';
export { DEFAULT_KEEP, imagesInUse, markPruned, type PruneCandidate, pruneCandidates } from './prune.ts';
export { buildRevision } from './revision.ts';
