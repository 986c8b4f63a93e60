/**
 * The admin API's answers, as the dashboard reads them. The shapes are the server's own types (imported as
 * types only: nothing of the server is bundled), plus the node history route that is not served yet.
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

/**
 * `GET /v1/nodes/{cluster}/{node}/history` (planned; a 404 means no history is recorded): one attempt per
 * target the node was told, oldest first.
 */
export interface NodeHistory {
  attempts: {
    /** The rendered config and image the node was told. */
    target: { config: string; image: string | null };
    startedAt: string;
    /** What happened, in order: e.g. `slot`, `cordon`, `drain`, `desired`, `working`, `done`, `uncordon`. */
    steps: { step: string; at: string }[];
    endedAt: string | null;
    /** e.g. `updated`, `degraded`, `rolled-back`; null while the attempt runs. */
    result: string | null;
    reason: string | null;
  }[];
}
