/**
 * Store ports: what handlers read and write, as interfaces. The DynamoDB implementation is
 * functions/adapters/store (one table, keys in docs/store.md). Every change is a single-item write; writes
 * named `…IfVersion` are conditional on the item's version and throw {@link VersionConflictError} when
 * another writer got there first (retry with core/retry.ts).
 */

import type { BuildRecord } from './builds/build.ts';
import type { DriftFinding } from './checks/drift.ts';
import type { ClusterDrift } from './checks/drift-record.ts';
import type { BaseImageUpdated } from './checks/events.ts';
import type { TrackCheck } from './checks/track-check.ts';
import type { ClusterHealth } from './cluster-health.ts';
import type { ClusterRecord, ClusterRegistration } from './clusters.ts';
import type { NodeHistoryRecord } from './history/node-history.ts';
import type { AuditEvent, RolloutRecord, Track } from './model.ts';
import type { PoolRecord } from './rollout/pool-state.ts';

export type { AuditEvent } from './model.ts';
export type { VersionConflictError } from './retry.ts';

/** Pool items: the unit of mutual exclusion of a pool's reconciles. */
export interface PoolStore {
  /** Strongly consistent read, or null. */
  getPool(clusterId: string, pool: string): Promise<PoolRecord | null>;
  /** @returns the written record (version + 1). @throws VersionConflictError */
  putPoolIfVersion(next: PoolRecord, expectedVersion: number): Promise<PoolRecord>;
  /**
   * Read-change-write under optimistic concurrency (core/retry.ts): `change` decides the next state from
   * the current one, or null to leave it. @returns the written record, or null when unchanged or absent.
   */
  updatePool(
    clusterId: string,
    pool: string,
    change: (current: PoolRecord) => PoolRecord | null,
  ): Promise<PoolRecord | null>;
  /** The pools of one cluster (strongly consistent). */
  listClusterPools(clusterId: string): Promise<PoolRecord[]>;
  /** Every pool of the fleet. */
  listAllPools(): Promise<PoolRecord[]>;
}

/** Rollout items; exactly one per (track, digest). */
export interface RolloutStore {
  /** Creates it unless one with the same id exists (a repeated start is a no-op). */
  createRollout(record: RolloutRecord): Promise<{ created: boolean }>;
  getRollout(id: string): Promise<RolloutRecord | null>;
  /** @throws VersionConflictError */
  putRolloutIfVersion(next: RolloutRecord, expectedVersion: number): Promise<RolloutRecord>;
  /**
   * Read-change-write under optimistic concurrency (core/retry.ts): `change` decides the next state from
   * the current one (it may throw to refuse), or null to leave it. @returns the written record, or null.
   */
  updateRollout(
    id: string,
    change: (current: RolloutRecord | null) => RolloutRecord | null,
  ): Promise<RolloutRecord | null>;
  /** Rollouts of one track, oldest first. */
  listRolloutsByTrack(track: string): Promise<RolloutRecord[]>;
  /** All rollouts, oldest first. */
  listRollouts(): Promise<RolloutRecord[]>;
}

/** A rollout's audit events (append-only). */
export interface AuditLog {
  appendEvent(event: AuditEvent): Promise<void>;
  /** Oldest first. */
  listEvents(rolloutId: string): Promise<AuditEvent[]>;
}

/** A track as stored, with its optimistic-concurrency version. */
export interface StoredTrack {
  track: Track;
  version: number;
}

/** Image tracks. */
export interface TrackStore {
  /**
   * Creates the track (no `expectedVersion`), or replaces version `expectedVersion`.
   * @throws VersionConflictError when it exists (create) or changed (replace).
   */
  saveTrack(track: Track, expectedVersion?: number): Promise<StoredTrack>;
  getTrack(name: string): Promise<StoredTrack | null>;
  /** @returns whether it existed. */
  deleteTrack(name: string): Promise<boolean>;
  listTracks(): Promise<Track[]>;
  /** The tracks following `host/repository:tag`. */
  findTracksForImage(image: Track['image']): Promise<Track[]>;
}

/** Looks registrations up by id (node-state reads them through a short-lived cache). */
export interface ClusterLookup {
  get(id: string): Promise<ClusterRecord | null>;
}

/** Registered clusters. */
export interface ClusterStore {
  getCluster(id: string): Promise<ClusterRecord | null>;
  listClusters(): Promise<ClusterRecord[]>;
  /**
   * Validates (core/clusters.ts) and registers a cluster and its pools, each created only if absent.
   * @returns whether the cluster item was new.
   */
  registerClusterWithPools(input: ClusterRegistration, now?: Date): Promise<boolean>;
  /** @throws VersionConflictError */
  updateCluster(c: ClusterRecord, expectedVersion: number): Promise<void>;
  /** Deletes the cluster item and the items of the given pools. */
  unregisterCluster(id: string, pools: string[]): Promise<void>;
}

/** Update-check items: per track the last check, per cluster the drift, the BaseImageUpdated log. */
export interface CheckStore {
  getTrackCheck(track: string): Promise<TrackCheck | null>;
  /** Creates (version 0) or replaces the check. @returns false when a concurrent check wrote first. */
  saveTrackCheck(check: TrackCheck): Promise<boolean>;
  listTrackChecks(): Promise<TrackCheck[]>;
  deleteTrackCheck(track: string): Promise<void>;
  /** Replaces the cluster's findings (checks/drift-record.ts). @returns null when another check wrote first. */
  replaceClusterDrift(
    clusterId: string,
    findings: DriftFinding[] | { error: string },
    checkedAt: string,
  ): Promise<ClusterDrift | null>;
  listClusterDrift(): Promise<ClusterDrift[]>;
  /** Logs the event unless logged: `new`, `unpublished` (publish again) or `published`. */
  logBaseEvent(event: BaseImageUpdated): Promise<'new' | 'unpublished' | 'published'>;
  markBaseEventPublished(id: string, at: string): Promise<void>;
}

/** Webhook and EventBridge delivery ids, remembered for a while (replay protection). */
export interface DeliveryClaims {
  /** `false` when the id was already claimed within its window (a replay). */
  claim(source: string, deliveryId: string, ttlSeconds: number): Promise<boolean>;
  /** Forgets the id (processing failed, so the sender's retry must be accepted). */
  release(source: string, deliveryId: string): Promise<void>;
}

/** Resolved pushes (tag + digest) already processed: de-duplication of repeated deliveries. */
export interface PushClaims {
  /** `false` when the push was already processed within its window. */
  claimPush(key: string, ttlSeconds: number, now: Date): Promise<boolean>;
  /** Forgets it (processing failed half-way, so the retry must run again). */
  releasePush(key: string): Promise<void>;
}

/** Where a rendered config came from (the MachineConfig itself lives in the cluster). */
export interface RenderedConfigRef {
  clusterId: string;
  pool: string;
  /** `rendered-<pool>-<hash>`: deterministic, so recording one twice is a no-op. */
  name: string;
  /** The pinned image it carries (`host/repo@sha256:…`), or null. */
  image: string | null;
  /** Names of the MachineConfigs merged into it. */
  sources: string[];
  renderedAt: string;
}

/** Rendered config references. */
export interface RenderedLog {
  /** @returns whether it was new. */
  recordRendered(ref: RenderedConfigRef): Promise<boolean>;
}

/** Nodes' update histories (core/history): one item per node, bounded, with a TTL. */
export interface NodeHistoryStore {
  /** Strongly consistent read, or null when nothing was observed of the node. */
  getNodeHistory(clusterId: string, node: string): Promise<NodeHistoryRecord | null>;
  /**
   * Read-change-write under optimistic concurrency (core/retry.ts): `change` decides the next history
   * from the current one (null when absent), or null to leave it. @returns the written record, or null.
   */
  updateNodeHistory(
    clusterId: string,
    node: string,
    change: (current: NodeHistoryRecord | null) => NodeHistoryRecord | null,
  ): Promise<NodeHistoryRecord | null>;
}

/** What the last probe of each cluster's API found (core/cluster-health.ts). */
export interface ClusterHealthStore {
  /** Records it unless a newer probe's outcome is stored. */
  recordHealth(health: ClusterHealth): Promise<void>;
  listHealth(): Promise<ClusterHealth[]>;
}

/** Builds of tracks (core/builds): one item per (track, revision, base digest, architecture). */
export interface BuildStore {
  /** Creates it unless it exists. @returns whether this call created it. */
  createBuild(build: BuildRecord): Promise<boolean>;
  /** Strongly consistent read, or null. */
  getBuild(id: string): Promise<BuildRecord | null>;
  /** @returns the written record (version + 1). @throws VersionConflictError */
  putBuildIfVersion(next: BuildRecord, expectedVersion: number): Promise<BuildRecord>;
  /** Builds of one track, oldest first (index: eventually consistent). */
  listBuildsByTrack(track: string): Promise<BuildRecord[]>;
  /** Every build, oldest first. */
  listBuilds(): Promise<BuildRecord[]>;
  deleteBuild(id: string): Promise<void>;
}

/** Every store, as handlers take them. */
export interface Stores {
  pools: PoolStore;
  rollouts: RolloutStore;
  events: AuditLog;
  tracks: TrackStore;
  clusters: ClusterStore;
  checks: CheckStore;
  deliveries: DeliveryClaims;
  pushes: PushClaims;
  rendered: RenderedLog;
  history: NodeHistoryStore;
  health: ClusterHealthStore;
  builds: BuildStore;
}
