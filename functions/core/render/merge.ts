/**
 * MCO's `MergeMachineConfigs`: order, Ignition merge with MCO's compression and overwrite passes, and
 * the non-Ignition fields (reference/mco.md §1.3–§1.5).
 */
import { RenderError } from './errors.ts';
import { IgnitionAccumulator } from './ignition/accumulate.ts';
import { internalVersion } from './ignition/parse.ts';
import type { IgnObject } from './ignition/schema.ts';
import { type MachineConfig, McoKeys } from './types.ts';
import { locate, type ValidatedMachineConfig } from './validate.ts';

/** Result of merging, before naming. */
export interface MergedSpec {
  ignition: IgnObject;
  osImageURL: string;
  baseOSExtensionsContainerImage: string;
  kernelArguments: string[];
  extensions: string[];
  fips: boolean;
  kernelType: string;
}

const byName = (a: ValidatedMachineConfig, b: ValidatedMachineConfig): number => {
  const x = a.machineConfig.metadata.name;
  const y = b.machineConfig.metadata.name;
  return x < y ? -1 : x > y ? 1 : 0;
};

/**
 * MCO's merge order: MCs labelled role `worker` first, then all others, each group stable-sorted by name.
 * Later entries override earlier ones. MCs without labels are refused (`cannot find label`).
 */
export function mergeOrder(mcs: readonly ValidatedMachineConfig[]): ValidatedMachineConfig[] {
  for (const v of mcs) {
    const labels = v.machineConfig.metadata.labels;
    if (labels === undefined || labels === null) {
      throw new RenderError(
        locate(v.machineConfig, 'metadata.labels'),
        `cannot find label in MachineConfig ${v.machineConfig.metadata.name}: every MachineConfig needs labels (e.g. ${McoKeys.role}: worker) for a pool to select it`,
      );
    }
  }
  const workers = mcs
    .filter((v) => v.machineConfig.metadata.labels?.[McoKeys.role] === 'worker')
    .sort(byName);
  const others = mcs.filter((v) => v.machineConfig.metadata.labels?.[McoKeys.role] !== 'worker').sort(byName);
  return [...workers, ...others];
}

/**
 * Merges MCs already in merge order (see `mergeOrder`). `baseOSImage`/`baseOSExtensionsImage` are the
 * images MCO starts from (ControllerConfig `baseOSContainerImage`/`baseOSExtensionsContainerImage`).
 */
export function mergeMachineConfigs(
  ordered: readonly ValidatedMachineConfig[],
  baseOSImage: string,
  baseOSExtensionsImage: string,
): MergedSpec {
  const accumulator = new IgnitionAccumulator(
    ordered[0]?.ignition ?? { ignition: { version: internalVersion } },
  );
  for (const v of ordered.slice(1)) if (v.ignition) accumulator.merge(v.ignition);
  const ignition = accumulator.result();

  let fips = false;
  let kernelType = 'default';
  const kernelArguments: string[] = [];
  const extensions: string[] = [];
  let osImageURL = baseOSImage;
  let baseOSExtensionsContainerImage = baseOSExtensionsImage;
  for (const { machineConfig: mc } of ordered) {
    const spec = mc.spec ?? {};
    if (spec.fips === true) fips = true;
    if (spec.kernelType === 'realtime' || spec.kernelType === '64k-pages') kernelType = spec.kernelType;
    kernelArguments.push(...(spec.kernelArguments ?? []));
    extensions.push(...(spec.extensions ?? []));
    // MCs the controller generated never override the OS images.
    if (isGenerated(mc)) continue;
    if (spec.osImageURL) osImageURL = spec.osImageURL;
    if (spec.baseOSExtensionsContainerImage)
      baseOSExtensionsContainerImage = spec.baseOSExtensionsContainerImage;
  }
  if (kernelType !== 'default' && extensions.includes('kernel-devel')) {
    const culprit = ordered.find((v) => v.machineConfig.spec?.extensions?.includes('kernel-devel'))!;
    throw new RenderError(
      locate(culprit.machineConfig, 'spec.extensions'),
      `installing kernel-devel extension is not supported with kernelType: ${kernelType}`,
    );
  }
  return {
    ignition,
    osImageURL,
    baseOSExtensionsContainerImage,
    kernelArguments,
    extensions,
    fips,
    kernelType,
  };
}

/** An MC written by the controller: its `generated-by-controller-version` annotation is non-empty. */
export function isGenerated(mc: MachineConfig): boolean {
  return Boolean(mc.metadata.annotations?.[McoKeys.generatedByControllerVersion]);
}
