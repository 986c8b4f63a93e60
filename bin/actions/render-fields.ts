/**
 * Unknown fields in MachineConfig and MachineConfigPool files. The render engine reads the fields it knows
 * and ignores the rest, as the API server's schema pruning would; on a cluster that is harmless (the server
 * has already pruned them), but in a file a misspelt field (`osImageUrl`, `kernelArgumnets`) silently
 * renders an empty value. `strata render` warns on each, naming file, object and field, and `--strict`
 * refuses them. (Unknown Ignition fields under `spec.config` are reported by the render engine itself.)
 */
import {
  type MachineConfig,
  type MachineConfigPool,
  type MachineConfigSpec,
  objectLabel,
  sourceOf,
} from '../../functions/core/render/index.ts';

/** Fields of every Kubernetes object. */
const OBJECT_FIELDS = ['apiVersion', 'kind', 'metadata', 'spec', 'status'];

/** Fields of ObjectMeta (k8s.io/apimachinery). */
const METADATA_FIELDS = [
  'name',
  'generateName',
  'namespace',
  'selfLink',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'labels',
  'annotations',
  'ownerReferences',
  'finalizers',
  'managedFields',
];

/** Fields of MCO's MachineConfigSpec: the record makes the type checker keep it complete. */
const MACHINE_CONFIG_SPEC: Record<keyof MachineConfigSpec, true> = {
  config: true,
  osImageURL: true,
  baseOSExtensionsContainerImage: true,
  kernelArguments: true,
  extensions: true,
  fips: true,
  kernelType: true,
};

/** Fields of MCO's MachineConfigPoolSpec: the ones the renderer reads, and the rest of the API's. */
const POOL_SPEC: Record<keyof MachineConfigPool['spec'], true> & Record<string, true> = {
  machineConfigSelector: true,
  nodeSelector: true,
  configuration: true,
  osImageStream: true,
  paused: true,
  maxUnavailable: true,
  pinnedImageSets: true,
};

/**
 * Edit distance with adjacent transpositions (optimal string alignment), for "did you mean". Written here:
 * none of the project's dependencies exports one (commander's suggestion helper is internal).
 */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, d[i - 2]![j - 2]! + 1);
      }
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/** The known field `field` most likely meant: same letters in another case, or at most two edits away. */
export function closestField(field: string, known: readonly string[]): string | undefined {
  const lower = field.toLowerCase();
  const sameCase = known.find((k) => k.toLowerCase() === lower);
  if (sameCase) return sameCase;
  let best: { name: string; d: number } | undefined;
  for (const k of known) {
    const d = distance(lower, k.toLowerCase());
    if (d <= 2 && (!best || d < best.d)) best = { name: k, d };
  }
  return best?.name;
}

function unknownIn(value: unknown, known: readonly string[], path: string, where: string): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [];
  return Object.keys(value)
    .filter((key) => !known.includes(key))
    .map((key) => {
      const guess = closestField(key, known);
      return `${where}: ${path}${key}: unknown field, ignored${guess ? ` (did you mean ${guess}?)` : ''}`;
    });
}

/** One line per unknown field of a MachineConfig or MachineConfigPool read from a file. */
export function unknownFields(object: MachineConfig | MachineConfigPool): string[] {
  const file = sourceOf(object);
  const where = `${file ? `${file}: ` : ''}${objectLabel(object.kind, object.metadata.name)}`;
  const spec = object.kind === 'MachineConfig' ? Object.keys(MACHINE_CONFIG_SPEC) : Object.keys(POOL_SPEC);
  return [
    ...unknownIn(object, OBJECT_FIELDS, '', where),
    ...unknownIn(object.metadata, METADATA_FIELDS, 'metadata.', where),
    ...unknownIn(object.spec, spec, 'spec.', where),
  ];
}

/** Whether a render warning is about an unknown field (the engine's Ignition ones included). */
export function isUnknownField(warning: string): boolean {
  return warning.includes(': unknown field, ignored');
}
