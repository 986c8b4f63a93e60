/** Builders and the build pass of a track: the local buildah builder (CodeBuild: docs/builds.md). */
export { type BuildahOptions, buildahBuilder } from './buildah.ts';
export { clusterBase, runTrackBuilds, type TrackBuildDeps, type TrackBuildPass } from './track-builds.ts';
