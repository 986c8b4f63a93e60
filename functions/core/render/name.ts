/**
 * The rendered MachineConfig name (MCO `pkg/controller/render/hash.go`):
 * `rendered-<pool>-<hex(md5(salt || ghodss/yaml.Marshal(spec)))>`. ghodss/yaml marshals the spec to
 * JSON, reads that JSON back with go-yaml v2 (so every map becomes a map with sorted keys, integers stay
 * integers, raw NELs are folded and some characters are refused: `readBackFromGoJson`) and writes it with
 * go-yaml v2; `marshalYamlV2` reproduces that output from the tree read back.
 */
import { createHash } from 'node:crypto';
import { UnreadableSpecError } from './errors.ts';
import {
  formatYamlPath,
  marshalYamlV2,
  readBackFromGoJson,
  writeYamlV2,
  YamlV2ReadError,
  type YamlValue,
} from './yamlv2/index.ts';

/** The 80 fixed bytes MCO prepends before hashing (shared with the MachineOSBuild name hash). */
export const renderedNameSalt: Uint8Array = Uint8Array.from([
  16, 124, 206, 228, 139, 56, 175, 175, 79, 229, 134, 118, 157, 154, 211, 110, 25, 93, 47, 253, 172, 106, 37,
  7, 174, 13, 160, 185, 110, 17, 87, 52, 219, 131, 12, 206, 218, 141, 116, 135, 188, 181, 192, 151, 233, 62,
  126, 165, 64, 83, 179, 119, 15, 168, 208, 197, 146, 107, 58, 227, 133, 188, 238, 26, 33, 26, 235, 202, 32,
  173, 31, 234, 41, 144, 148, 79, 6, 206, 23, 22,
]);

/**
 * The YAML MCO hashes for a spec given as its JSON tree (`config` included as a tree, not as text).
 * @throws UnreadableSpecError when go-yaml v2 cannot read the spec's JSON back (MCO cannot render it).
 */
export function specYaml(spec: YamlValue): string {
  return marshalYamlV2(readBack(spec));
}

/**
 * `rendered-<pool>-<md5>` for a spec given as its JSON tree.
 * @throws UnreadableSpecError when go-yaml v2 cannot read the spec's JSON back (MCO cannot render it).
 */
export function renderedName(poolName: string, spec: YamlValue): string {
  const readable = readBack(spec, poolName);
  const hash = createHash('md5').update(renderedNameSalt);
  writeYamlV2(readable, (chunk) => hash.update(chunk, 'utf8'));
  return `rendered-${poolName}-${hash.digest('hex')}`;
}

function readBack(spec: YamlValue, poolName?: string): YamlValue {
  try {
    return readBackFromGoJson(spec);
  } catch (error) {
    if (error instanceof YamlV2ReadError) throw unreadable(error, poolName);
    throw error;
  }
}

/** The error for a spec go-yaml v2 cannot read back, with MCO's own message for the pool. */
function unreadable(error: YamlV2ReadError, poolName: string | undefined): UnreadableSpecError {
  const inner = `error converting JSON to YAML: ${error.problem}`;
  const mco = poolName ? `Failed to render configuration for pool ${poolName}: ${inner}` : inner;
  const at = `at character ${error.index + 1}`;
  const why =
    error.kind === 'control-character'
      ? `${describeCodePoint(error.codePoint)} ${at}: go-yaml v2 refuses DEL, the C1 controls other than NEL, U+FFFE and U+FFFF when it reads the spec back from JSON`
      : `NEL (U+0085) ${at} followed by ${JSON.stringify([...error.value].slice(error.index + 1, error.index + 4).join(''))}: go-yaml v2 reads a NEL as a line break, and that line then starts with a document marker`;
  return new UnreadableSpecError(
    { field: formatYamlPath(['spec', ...error.path]) },
    `${why}, so MCO cannot render the pool (${mco})`,
    { kind: error.kind, specPath: error.path, value: error.value, problem: error.problem },
  );
}

function describeCodePoint(cp: number): string {
  const hex = `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  if (cp === 0x7f) return `${hex} (DEL)`;
  if (cp >= 0x80 && cp <= 0x9f) return `${hex} (a C1 control character)`;
  return `${hex} (a non-character)`;
}
