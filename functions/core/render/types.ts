/**
 * The Kubernetes objects the render engine reads and writes (the subset of MCO's API it needs).
 */
import type { LabelSelector } from '../model.ts';

export type { LabelSelector };

/** API group/version of MCO objects. */
export const mcoApiVersion = 'machineconfiguration.openshift.io/v1';

/** MCO annotations and labels the render engine reads or writes (reference/mco.md §0). */
export const McoKeys = {
  role: 'machineconfiguration.openshift.io/role',
  generatedByControllerVersion: 'machineconfiguration.openshift.io/generated-by-controller-version',
  releaseImageVersion: 'machineconfiguration.openshift.io/release-image-version',
  osImageUrlOverridden: 'machineconfiguration.openshift.io/os-image-url-overridden',
} as const;

/** Kernel types MCO accepts (`""` means default). */
export const kernelTypes = ['', 'default', 'realtime', '64k-pages'] as const;

export interface ObjectMeta {
  name: string;
  uid?: string;
  labels?: Record<string, string> | null;
  annotations?: Record<string, string> | null;
}

/** `MachineConfig.spec`. `config` is the raw Ignition config (any supported version), or absent. */
export interface MachineConfigSpec {
  config?: unknown;
  osImageURL?: string;
  baseOSExtensionsContainerImage?: string;
  kernelArguments?: string[] | null;
  extensions?: string[] | null;
  fips?: boolean;
  kernelType?: string;
}

export interface MachineConfig {
  apiVersion: string;
  kind: 'MachineConfig';
  metadata: ObjectMeta;
  spec: MachineConfigSpec;
}

export interface MachineConfigPool {
  apiVersion: string;
  kind: 'MachineConfigPool';
  metadata: ObjectMeta;
  spec: {
    /** `undefined`/`null` selects nothing; `{}` is refused (MCO's SelectingAll gate). */
    machineConfigSelector?: LabelSelector | null;
    nodeSelector?: LabelSelector | null;
    configuration?: { name?: string } | null;
    osImageStream?: { name?: string } | null;
    paused?: boolean;
  };
}

/** A node as pool resolution needs it. */
export interface NodeLike {
  metadata: { name: string; labels?: Record<string, string> | null };
}

/** The spec MCO writes into a rendered MachineConfig: exactly these 7 fields. */
export interface RenderedSpec {
  osImageURL: string;
  baseOSExtensionsContainerImage: string;
  /** The merged Ignition 3.5 config, as a JSON tree with keys in Go field order. */
  config: { [key: string]: unknown };
  kernelArguments: string[];
  extensions: string[];
  fips: boolean;
  kernelType: string;
}

/** A rendered MachineConfig object, as MCO would create it. */
export interface RenderedMachineConfig {
  apiVersion: string;
  kind: 'MachineConfig';
  metadata: {
    name: string;
    annotations: Record<string, string>;
    ownerReferences: {
      apiVersion: string;
      kind: 'MachineConfigPool';
      name: string;
      uid: string;
      controller: true;
      blockOwnerDeletion: true;
    }[];
  };
  spec: RenderedSpec;
}
