/** go-yaml v2 (v2.4.0) compatible YAML output, and its reading of Go's JSON, for MCO's rendered-config hash. */
export { formatGoFloat, marshalYamlV2, writeYamlV2, type YamlValue } from './emit.ts';
export {
  formatYamlPath,
  readBackFromGoJson,
  type YamlPath,
  YamlV2ReadError,
  type YamlV2ReadProblem,
} from './read-json.ts';
export { isBase60Float, isTimestamp, resolvesToNonString } from './resolve.ts';
export { keyLess, sortKeys } from './sort.ts';
