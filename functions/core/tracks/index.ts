/** Image tracks: schema, track files, and matching pushes to tracks. Pure. */
export { TrackDefinitionError } from './errors.ts';
export {
  followedImageKey,
  type PushDecision,
  pushKey,
  rolloutForPush,
  rolloutForTagAt,
  tracksFollowing,
} from './match.ts';
export { parseTrack, parseTrackFile } from './parse.ts';
export {
  DEFAULT_STRATEGY,
  IntOrPercentSchema,
  LabelSelectorSchema,
  RolloutStrategySchema,
  TRACK_NAME,
  TrackSchema,
  WaveSpecSchema,
} from './schema.ts';
