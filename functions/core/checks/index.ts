/** Update checks, pure: track-check rules, base-image references and staleness, BaseImageUpdated events, drift rules, pacing. */
export { BaseAnnotations, type BaseImage, baseImageOf, baseKey, type ImageMetadata } from './base-image.ts';
export {
  type ClusterDriftInput,
  type ClusterRenderedConfig,
  clusterDrift,
  type DriftFinding,
  type DriftKind,
  type DriftPool,
  driftPool,
  nodeDrift,
  pausedDrift,
  renderedDrift,
} from './drift.ts';
export {
  type ClusterDrift,
  type DriftCheckOutcome,
  nextDrift,
  type StoredDriftFinding,
} from './drift-record.ts';
export { BaseReferenceError } from './errors.ts';
export {
  BASE_IMAGE_UPDATED,
  type BaseImageUpdated,
  baseImageUpdatedEvent,
  baseImageUpdatedId,
  type LoggedBaseEvent,
} from './events.ts';
export { assessBase, type BaseStatus, MAX_MISSED_DIGESTS } from './staleness.ts';
export * from './tick.ts';
export { type BucketSettings, type BucketState, fullBucket, takeToken } from './token-bucket.ts';
export * from './track-check.ts';
export type { DriftView, TrackCheckView } from './views.ts';
