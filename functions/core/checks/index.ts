/** Update checks, pure: base-image references and staleness, BaseImageUpdated events, drift rules, pacing. */
export { BaseAnnotations, type BaseImage, baseImageOf, baseKey, type ImageMetadata } from './base-image.ts';
export {
  type ClusterDriftInput,
  type ClusterRenderedConfig,
  clusterDrift,
  type DriftFinding,
  type DriftKind,
  type DriftPool,
  nodeDrift,
  pausedDrift,
  renderedDrift,
} from './drift.ts';
export { BaseReferenceError } from './errors.ts';
export {
  BASE_IMAGE_UPDATED,
  type BaseImageUpdated,
  baseImageUpdatedEvent,
  baseImageUpdatedId,
} from './events.ts';
export { assessBase, type BaseStatus, MAX_MISSED_DIGESTS } from './staleness.ts';
export { type BucketSettings, type BucketState, fullBucket, takeToken } from './token-bucket.ts';
export type { DriftView, TrackCheckView } from './views.ts';
