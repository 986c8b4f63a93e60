/**
 * The admin API's answers, as the dashboard reads them. The shapes are the server's own types (imported as
 * types only: nothing of the server is bundled).
 */
import type { StoredDriftFinding, TrackCheck } from '../../functions/core/checks/index.ts';
import type { Track } from '../../functions/core/model.ts';

export type {
  AuditEventView,
  ClusterProgress,
  ClusterView,
  NodeView,
  PoolProgress,
  PoolView,
  RolloutDescription,
  RolloutView,
  WaveProgress,
} from '../../functions/core/admin/index.ts';
export type { RolloutStatus, Track } from '../../functions/core/model.ts';

/** `GET /v1/…` lists. */
export interface Items<T> {
  items: T[];
}

/** `GET /v1/nodes`: nodes read live, and the clusters that could not be read. */
export interface NodesAnswer<T> extends Items<T> {
  errors: { cluster: string; error: string }[];
}

/** A track with what its last update check found (`GET /v1/tracks`). */
export type TrackView = Track & { check?: Omit<TrackCheck, 'version' | 'track'> };

/** `GET /v1/drift`. */
export interface DriftAnswer {
  items: (StoredDriftFinding & { checkedAt: string })[];
  errors: { cluster: string; error: string }[];
}

/** `GET /v1/nodes/{cluster}/{node}/history` (a 404 means no history is recorded): attempts oldest first. */
export type { NodeAttempt, NodeHistory } from '../../functions/core/history/index.ts';
