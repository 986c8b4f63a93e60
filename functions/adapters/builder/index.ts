/** Builders, the build pass of a track and pruning: the local buildah builder (CodeBuild: docs/builds.md). */
export { type BuildahOptions, buildahBuilder } from './buildah.ts';
export {
  type CodeBuildEventDeps,
  type CodeBuildEventResult,
  recordCodeBuildEvent,
} from './codebuild-event.ts';
export { type BuildPlan, planBuilds } from './plan.ts';
export {
  type PruneDeps,
  type PrunedBuild,
  type PruneOptions,
  type PruneReport,
  pruneBuilds,
} from './prune.ts';
export { clusterBase, runTrackBuilds, type TrackBuildDeps, type TrackBuildPass } from './track-builds.ts';
