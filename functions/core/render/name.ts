/**
 * The rendered MachineConfig name (MCO `pkg/controller/render/hash.go`):
 * `rendered-<pool>-<hex(md5(salt || ghodss/yaml.Marshal(spec)))>`. ghodss/yaml marshals the spec to
 * JSON, reads that JSON back with go-yaml v2 (so every map becomes a map with sorted keys and integers
 * stay integers) and writes it with go-yaml v2; `marshalYamlV2` reproduces that output from the JSON tree.
 */
import { createHash } from 'node:crypto';
import { marshalYamlV2, writeYamlV2, type YamlValue } from './yamlv2/index.ts';

/** The 80 fixed bytes MCO prepends before hashing (shared with the MachineOSBuild name hash). */
export const renderedNameSalt: Uint8Array = Uint8Array.from([
  16, 124, 206, 228, 139, 56, 175, 175, 79, 229, 134, 118, 157, 154, 211, 110, 25, 93, 47, 253, 172, 106, 37,
  7, 174, 13, 160, 185, 110, 17, 87, 52, 219, 131, 12, 206, 218, 141, 116, 135, 188, 181, 192, 151, 233, 62,
  126, 165, 64, 83, 179, 119, 15, 168, 208, 197, 146, 107, 58, 227, 133, 188, 238, 26, 33, 26, 235, 202, 32,
  173, 31, 234, 41, 144, 148, 79, 6, 206, 23, 22,
]);

/** The YAML MCO hashes for a spec given as its JSON tree (`config` included as a tree, not as text). */
export function specYaml(spec: YamlValue): string {
  return marshalYamlV2(spec);
}

/** `rendered-<pool>-<md5>` for a spec given as its JSON tree. */
export function renderedName(poolName: string, spec: YamlValue): string {
  const hash = createHash('md5').update(renderedNameSalt);
  writeYamlV2(spec, (chunk) => hash.update(chunk, 'utf8'));
  return `rendered-${poolName}-${hash.digest('hex')}`;
}
