/**
 * Which input a string of the rendered spec came from, so that an error about the rendered spec names the
 * field the user wrote. MCO's merge copies strings from the MachineConfigs (and the base images) and never
 * builds new ones, so the string is found as it is.
 */
import type { RenderErrorLocation } from './errors.ts';
import { toJsonTree } from './ignition/serialize.ts';
import { isGenerated } from './merge.ts';
import { locate, type ValidatedMachineConfig } from './validate.ts';
import { formatYamlPath, type YamlPath } from './yamlv2/index.ts';

/**
 * The MachineConfig field (or ControllerConfig image) that brought `value` to `specPath` of the spec
 * merged from `ordered` (in merge order); `undefined` if no input holds it.
 */
export function locateSpecString(
  specPath: YamlPath,
  value: string,
  ordered: readonly ValidatedMachineConfig[],
): RenderErrorLocation | undefined {
  const [field, ...rest] = specPath;
  switch (field) {
    case 'kernelArguments':
    case 'extensions': {
      // Concatenated in merge order: the index says which MC and which entry.
      let index = rest[0] as number;
      for (const v of ordered) {
        const list = v.machineConfig.spec?.[field] ?? [];
        if (index < list.length) return locate(v.machineConfig, `spec.${field}[${index}]`);
        index -= list.length;
      }
      return undefined;
    }
    case 'osImageURL':
    case 'baseOSExtensionsContainerImage': {
      // The last user MC that sets it wins; otherwise it is the base image MCO starts from.
      const setter = [...ordered]
        .reverse()
        .find((v) => !isGenerated(v.machineConfig) && v.machineConfig.spec?.[field] === value);
      if (setter) return locate(setter.machineConfig, `spec.${field}`);
      return {
        object: 'ControllerConfig',
        field: field === 'osImageURL' ? 'spec.baseOSContainerImage' : 'spec.baseOSExtensionsContainerImage',
      };
    }
    case 'config': {
      // Later MCs override earlier ones: the last one holding the string, preferably at the same place.
      const shape = shapeOf(rest);
      let fallback: RenderErrorLocation | undefined;
      for (const v of [...ordered].reverse()) {
        if (!v.ignition) continue;
        const found = stringPaths(toJsonTree(v.ignition), value);
        const same = found.find((p) => shapeOf(p) === shape);
        if (same) return locate(v.machineConfig, `spec.config.${formatYamlPath(same)}`);
        if (found[0] && !fallback)
          fallback = locate(v.machineConfig, `spec.config.${formatYamlPath(found[0])}`);
      }
      return fallback;
    }
    default:
      return undefined;
  }
}

/** A path with its list indexes left out: `storage.files[].contents.source`. */
function shapeOf(path: YamlPath): string {
  return path.map((p) => (typeof p === 'number' ? '[]' : `.${p}`)).join('');
}

/** Paths of the string leaves equal to `value`. */
function stringPaths(tree: unknown, value: string, path: (string | number)[] = []): (string | number)[][] {
  if (tree === value) return [[...path]];
  if (tree === null || typeof tree !== 'object') return [];
  const entries: [string | number, unknown][] = Array.isArray(tree)
    ? tree.map((item, i) => [i, item])
    : Object.entries(tree);
  return entries.flatMap(([key, item]) => stringPaths(item, value, [...path, key]));
}
