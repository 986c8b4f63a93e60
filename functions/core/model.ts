/**
 * The shared vocabulary of Strata's domain: images, pushes, tracks, rollouts. Pure types; the parts that
 * own each concept (ingress, rollout engine) add their own schemas and rules next to their code.
 */

/** MCO node annotations (reference/mco.md §0): the protocol between the control plane and a node's daemon. */
export const NodeAnnotations = {
  currentConfig: 'machineconfiguration.openshift.io/currentConfig',
  desiredConfig: 'machineconfiguration.openshift.io/desiredConfig',
  state: 'machineconfiguration.openshift.io/state',
  reason: 'machineconfiguration.openshift.io/reason',
  desiredDrain: 'machineconfiguration.openshift.io/desiredDrain',
  lastAppliedDrain: 'machineconfiguration.openshift.io/lastAppliedDrain',
  currentImage: 'machineconfiguration.openshift.io/currentImage',
  desiredImage: 'machineconfiguration.openshift.io/desiredImage',
} as const;

/**
 * The node-annotation protocol between the control plane (the `agent` driver) and the Strata node agent
 * (agent/protocol.ts re-exports it; docs/agent.md describes every value): Strata's own vocabulary, never
 * MCO's. The control plane writes the target and the reboot request, the agent where the node stands.
 */
export const AgentAnnotations = {
  /** Control plane: the image the node should run, always `repo@sha256:…`. */
  desiredImage: 'strata.io/desired-image',
  /**
   * Control plane: permission to reboot, its value the desired image the node may reboot into. Set only once
   * the node reports Staged for that image and has been cordoned and drained. The agent removes it when it
   * acts on it (entering Rebooting) and whenever it starts over (a stale request never reboots a node).
   */
  reboot: 'strata.io/reboot',
  /**
   * Control plane: retry a Degraded node, its value the desired image to retry. The agent removes it with
   * its next transition; only a Degraded node whose desired image equals the value starts over.
   */
  retry: 'strata.io/retry',
  /** Agent: `Staging` | `Staged` | `Rebooting` | `Done` | `Degraded`. */
  state: 'strata.io/state',
  /** Agent: the image the current state is about (the desired image when the state began). */
  stateImage: 'strata.io/state-image',
  /** Agent: ISO time the current state began; the per-state timeouts run from it. */
  stateSince: 'strata.io/state-since',
  /** Agent: the booted image, `repo@sha256:…` ('' when the host does not run a container image). */
  currentImage: 'strata.io/current-image',
  /** Agent: why the node is Degraded ('' otherwise). */
  reason: 'strata.io/reason',
  /** Agent: the host's boot ID, recorded when entering Rebooting and at Done. */
  bootId: 'strata.io/boot-id',
} as const;

/** Values of the daemon's `state` annotation. */
export type NodeDaemonState = 'Working' | 'Done' | 'Degraded' | 'Unreconcilable';

/** The label pools select MachineConfigs on. */
export const RoleLabel = 'machineconfiguration.openshift.io/role';

/** Label used to order candidates by zone. */
export const ZoneLabel = 'topology.kubernetes.io/zone';

/** An image pinned by digest: what nodes boot. Never a tag. */
export interface PinnedImage {
  /** Registry host, e.g. `quay.io` or `123456789012.dkr.ecr.eu-west-1.amazonaws.com`. */
  host: string;
  /** Repository path without host, e.g. `acme/rhcos-layered`. */
  repository: string;
  /** `sha256:<64 hex>`. */
  digest: string;
}

/** `host/repository@digest`. */
export function pinnedReference(image: PinnedImage): string {
  return `${image.host}/${image.repository}@${image.digest}`;
}

/** A push of a tagged image, normalised from any registry's notification: see ./messages.ts. */
export type { ImagePushed } from './messages.ts';

/** Label selector as Kubernetes writes it. */
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: {
    key: string;
    operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
    values?: string[];
  }[];
}

/** One wave of a rollout: which clusters it takes. */
export type WaveSpec =
  | { name: string; clusterSelector: LabelSelector }
  | { name: string; count: number }
  | { name: string; percent: number };

/** A count (`3`) or a percentage string (`"25%"`). */
export type IntOrPercent = number | `${number}%`;

/** How a rollout moves through the fleet. */
export interface RolloutStrategy {
  /** Waves in order; clusters not taken by any wave form a final implicit wave. */
  waves: WaveSpec[];
  /** Clusters updating at once within a wave. */
  maxConcurrentClusters: number;
  /** Pool-level maxUnavailable override; else the pool's own. */
  maxUnavailable?: IntOrPercent;
  /** Wait after a wave completes before the next starts, in seconds. */
  soakSeconds: number;
  /** Degraded nodes tolerated per pool before the rollout halts. */
  poolFailureBudget: number;
  /** Failed nodes (or clusters) tolerated fleet-wide before the rollout halts. */
  fleetFailureBudget: IntOrPercent;
  onFailure: 'halt' | 'rollback';
  /**
   * A pool with work and no progress for this long says why (its blocker: what MCO waits on, which node in
   * which state since when); with a Degraded node it stalls (the rollout halts or rolls back). Default: the
   * deployment's stall time (1,800 s).
   */
  progressDeadlineSeconds?: number;
}

/** An image track: follows `repo:tag` and rolls every new digest out to its targets. */
export interface Track {
  name: string;
  /** Followed image, e.g. `quay.io/acme/rhcos-layered:prod`. */
  image: { host: string; repository: string; tag: string };
  targets: { clusterSelector: LabelSelector; pools: string[] };
  strategy: RolloutStrategy;
  /**
   * An image-config label naming the image's base (`repo:tag` or `repo:tag@sha256:…`), read by the update
   * check when the image carries no `org.opencontainers.image.base.name` annotation.
   */
  baseImageLabel?: string;
  /** How the track builds its image per base (functions/core/builds, docs/builds.md); absent: it follows pushes only. */
  build?: BuildDefinition;
}

/** Architectures Strata builds for (OCI platform `linux/<arch>`). */
export const ARCHITECTURES = ['amd64', 'arm64', 'ppc64le', 's390x'] as const;
export type Architecture = (typeof ARCHITECTURES)[number];

/** A track's build definition (functions/core/builds/definition.ts validates it). */
export interface BuildDefinition {
  /** The Containerfile's text; its first `FROM` names the base stream (`host/repository:tag`). */
  containerfile: string;
  /** `--build-arg`s. */
  args: Record<string, string>;
  /** Where builds are pushed (tags `<release>-<revision>`). */
  repository: { host: string; repository: string };
  architectures: Architecture[];
  /** Attempts per build before it stays Failed. */
  maxAttempts: number;
  /** When a cluster's base moves: build and roll out (`automatic`) or wait for approval. */
  rebuild: 'automatic' | 'approval';
}

/** Lifecycle of a rollout. */
export type RolloutStatus =
  | 'Pending'
  | 'Progressing'
  | 'Soaking'
  | 'Paused'
  | 'Halted'
  | 'RollingBack'
  | 'RolledBack'
  | 'Aborted'
  | 'Superseded'
  | 'Completed';

/** One planned wave: its name and the clusters it takes, in update order. */
export interface PlannedWave {
  name: string;
  clusters: string[];
}

/** What the planner remembers between passes (stored on the rollout item). */
export interface RolloutProgress {
  waves: PlannedWave[];
  /** Index of the current wave. */
  wave: number;
  /** When the current wave completed (soak runs from here); null while it runs. */
  waveCompletedAt: string | null;
  /** Clusters whose pools were given this rollout's target. */
  activated: string[];
  /** Clusters whose pools all finished this rollout's target. */
  completed: string[];
  /** Why the rollout halted or rolled back, when it did. */
  failureReason?: string;
}

/**
 * A rollout of one digest of one track. A digest has more than one when its tag moved back to it
 * (core/tracks/match.ts `rolloutForTagAt`).
 */
export interface RolloutRecord {
  /** {@link rolloutId}, with a suffix `-2`, `-3`, … when that is taken (see `rolloutForTagAt`). */
  id: string;
  track: string;
  image: PinnedImage;
  /** Snapshot of the track's strategy when the rollout started. */
  strategy: RolloutStrategy;
  targets: Track['targets'];
  status: RolloutStatus;
  /** What started it: the ImagePushed source, `cli`, `update-check`. */
  cause: string;
  createdAt: string;
  /** The planner's bookkeeping; absent until its first pass. */
  progress?: RolloutProgress;
  /**
   * A rollout of built images (functions/core/builds/gate.ts): per cluster the image built on its base.
   * Only these clusters take part; `image` is then the first one's, for display.
   */
  images?: Record<string, PinnedImage>;
  /** Target clusters a rollout of built images gives nothing, and why (their base matches no build). */
  refused?: { clusterId: string; reason: string }[];
  /** Optimistic-concurrency counter; every write is conditional on it. */
  version: number;
}

/** One audit event of a rollout. */
export interface AuditEvent {
  rolloutId: string;
  time: string;
  /** e.g. `StatusChanged`, `PoolsTargeted`, `Paused`. */
  kind: string;
  message: string;
  /** Who or what caused it: `planner`, `cli`, `admin-api`, a cluster id. */
  actor: string;
}

/**
 * The id of the first rollout of a digest on a track: the track and 12 hex digits of the digest. Not unique
 * by itself (digests may share 12 digits, a tag may move back): image-push picks a free one.
 */
export function rolloutId(track: string, digest: string): string {
  return `${track}-${digest.replace(/^sha256:/, '').slice(0, 12)}`;
}
