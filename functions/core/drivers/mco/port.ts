/**
 * The mco driver's port: what it reads from an OpenShift cluster and the only writes it makes there (the
 * image-layer MachineConfig, the pool's `maxUnavailable` and `paused` with Strata's annotations, Events).
 * Implemented by functions/adapters/cluster/mco.ts over `@kubernetes/client-node`; every call idempotent.
 */
import type { IntOrPercent, LabelSelector } from '../../model.ts';
import type { MachineConfig } from '../../render/types.ts';
import type { MachineConfigNodeFacts } from './machine-config-nodes.ts';

/** The render inputs of a cluster's ControllerConfig `machine-config-controller` (reference/mco.md §9.3). */
export interface ControllerInputs {
  baseOSContainerImage: string;
  baseOSExtensionsContainerImage: string;
  /** Annotation `generated-by-controller-version`: MCO ignores generated MachineConfigs of other versions. */
  controllerVersion?: string;
  /** Annotation `release-image-version`, copied onto rendered configs. */
  releaseImageVersion?: string;
}

/** What the cluster says about itself: ControllerConfig inputs and release (ClusterVersion). */
export interface McoClusterFacts {
  /** Null when the cluster has no ControllerConfig (MCO is not running there). */
  controller: ControllerInputs | null;
  /** ClusterVersion `status.desired.version`, or null when not served. */
  version: string | null;
  /**
   * ConfigMap `openshift-machine-config-operator/machine-config-osimageurl`: the release's base images (what
   * a layered image for this cluster builds FROM) and its version; null when absent.
   */
  osImageUrl: {
    baseOSContainerImage: string;
    baseOSExtensionsContainerImage: string;
    releaseVersion: string;
  } | null;
}

/** A MachineConfigPool condition as MCO writes it. */
export interface McoCondition {
  type: string;
  status: string;
  reason: string;
  message: string;
  lastTransitionTime: string;
}

/** What one reconcile reads of a MachineConfigPool and the configs around it. */
export interface McoPoolObservation {
  paused: boolean;
  annotations: Record<string, string>;
  /** `spec.machineConfigSelector`: the image layer carries its labels. */
  machineConfigSelector: LabelSelector | null;
  /** `spec.maxUnavailable`, or null when unset (MCO: 1). */
  maxUnavailable: IntOrPercent | null;
  generation: number;
  observedGeneration: number;
  /** `spec.configuration.name`: the rendered config MCO targets. */
  targetConfig: string | null;
  /** `status.configuration.name`: the rendered config every node is on. */
  currentConfig: string | null;
  /** `spec.osImageURL` of the rendered config `targetConfig` (null when not found). */
  targetImage: string | null;
  machineCount: number;
  updatedMachineCount: number;
  readyMachineCount: number;
  unavailableMachineCount: number;
  degradedMachineCount: number;
  conditions: McoCondition[];
  /** `spec.osImageURL` of the pool's image-layer MachineConfig, or null when there is none. */
  layerImage: string | null;
  /** The cluster's base OS image (ControllerConfig), or null. */
  baseImage: string | null;
}

/** A merge patch of a MachineConfigPool: only the fields named are written. */
export interface McoPoolPatch {
  /** null removes `spec.maxUnavailable` (MCO's default, 1). */
  maxUnavailable?: IntOrPercent | null;
  paused?: boolean;
  /** Annotations to set (string) or remove (null). */
  annotations?: Record<string, string | null>;
}

/** An Event Strata records on a MachineConfigPool (`kubectl get events`). */
export interface McoEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

/** Operations of the mco driver on one cluster. */
export interface McoPort {
  /** Whether the cluster serves MachineConfigs and has MCO's ControllerConfig (driver detection). */
  detect(): Promise<{ servesMachineConfigs: boolean; hasControllerConfig: boolean }>;
  /** ControllerConfig inputs and the release. */
  readCluster(): Promise<McoClusterFacts>;
  /** The pool as MCO reports it, or null when the cluster has no such MachineConfigPool. */
  readPool(pool: string): Promise<McoPoolObservation | null>;
  /**
   * The MachineConfigNodes of `nodes` (one LIST, filtered to them), or null where the cluster does not
   * serve MachineConfigNode (releases before 4.20): its absence is remembered for a while, not asked again
   * on every reconcile.
   */
  listMachineConfigNodes(nodes: readonly string[]): Promise<MachineConfigNodeFacts[] | null>;
  /** Creates the image-layer MachineConfig, or patches its labels and `osImageURL` when it exists. */
  applyImageLayer(mc: MachineConfig): Promise<void>;
  /** Deletes the image-layer MachineConfig; a no-op when it is gone. */
  deleteImageLayer(name: string): Promise<void>;
  /** Merge-patches the pool's `maxUnavailable`, `paused` and annotations. */
  patchPool(pool: string, patch: McoPoolPatch): Promise<void>;
  /** Records an Event on the pool. */
  recordEvent(pool: string, event: McoEvent): Promise<void>;
}
