/**
 * Everything a handler may be given, by the names handlers use: ports declared in core, implemented by
 * adapters and built by the wiring (functions/wiring/aws.ts on AWS, local/wiring.ts on the embedded
 * runtime). Each handler takes the part it uses (`Pick<Dependencies, …>`).
 */

import type { ClusterProbe } from './cluster-health.ts';
import type { CheckQueueMessage, ImagePushed, PlanRolloutMessage, ReconcilePoolMessage } from './messages.ts';
import type {
  CheckTrigger,
  DeclareDigest,
  EventPublisher,
  Log,
  MessageQueue,
  RolloutMetrics,
  TokenStore,
} from './ports.ts';
import type { CycleResolver, ImageMetadataReader, ManifestDeleter, TagResolver } from './registry.ts';
import type { ClusterConnector } from './rollout/cluster-port.ts';
import type { ClusterLookup, Stores } from './stores.ts';

export interface Dependencies {
  stores: Stores;
  /** Registered clusters' APIs. */
  clusters: ClusterConnector;
  /** Probes a cluster's API (registration checks, health); without it, neither is done. */
  probe?: ClusterProbe;
  /** Cluster registrations by id (cached where events are frequent). */
  registrations: ClusterLookup;
  imageQueue: MessageQueue<ImagePushed>;
  planQueue: MessageQueue<PlanRolloutMessage>;
  reconcileQueue: MessageQueue<ReconcilePoolMessage>;
  checkQueue: MessageQueue<CheckQueueMessage>;
  /** Tag → digest (OCI distribution API, ECR). */
  resolver: TagResolver;
  /** Deletes old builds' images (`strata prune`); without it, prune only does dry runs. */
  registryCleaner?: ManifestDeleter;
  /** Tag → digest with answers shared within one update-check cycle (base images). */
  baseResolver?: CycleResolver;
  /** What a pinned image says about itself (annotations, config labels). */
  metadata: ImageMetadataReader;
  /** Where BaseImageUpdated events go. */
  publisher: EventPublisher;
  /** Counts halted rollouts (the stack's alarm). */
  metrics?: RolloutMetrics;
  /** Runs the update check now (admin's `POST /v1/checks`). */
  checks?: CheckTrigger | undefined;
  /** Where tokens of newly added clusters go; without it, clusters are added by `secretName` only. */
  tokens?: TokenStore;
  /** Locally, a published tag resolves to its declared digest; on AWS the registry decides. */
  declareDigest?: DeclareDigest;
  /** The clock (tests and the simulator drive their own). */
  now?: () => Date;
  log?: Log;
}
