/**
 * The render engine: computes a pool's rendered MachineConfig exactly as OpenShift's Machine Config
 * Operator does (same merge, same refusals, same `rendered-<pool>-<hash>` name). Pure: no I/O.
 */
export { objectLabel, type ParsedDocuments, parseMachineConfigs, roleOf, sourceOf } from './documents.ts';
export {
  PoolResolutionError,
  RenderError,
  type RenderErrorLocation,
  UnreadableSpecError,
  UnreconcilableError,
} from './errors.ts';
export { convertIgnition, IgnitionConversionError } from './ignition/convert.ts';
export { DecodeIssue } from './ignition/decode.ts';
export { mergeIgnition } from './ignition/merge.ts';
export {
  internalVersion,
  type ParsedIgnition,
  parseIgnition,
  supportedMinorVersion,
  supportedVersions,
} from './ignition/parse.ts';
export type { IgnObject, IgnValue } from './ignition/schema.ts';
export { goJson, type JsonTree, toJsonTree } from './ignition/serialize.ts';
export { type IgnitionIssue, validateIgnition } from './ignition/validate.ts';
export { isGenerated, type MergedSpec, mergeMachineConfigs, mergeOrder } from './merge.ts';
export { renderedName, renderedNameSalt, specYaml } from './name.ts';
export {
  type ConfigLike,
  checkReconcilable,
  checkRenderedReconcilable,
  configFileDiffs,
  reconcilable,
} from './reconcile.ts';
export {
  maxRenderedSize,
  type RenderPoolInput,
  type RenderResult,
  renderedSpecOf,
  renderPool,
} from './render.ts';
export {
  checkSelector,
  matchesSelector,
  type NodePools,
  poolForNode,
  selectMachineConfigs,
} from './select.ts';
export * from './types.ts';
export {
  packagesForExtensions,
  supportedExtensions,
  type ValidatedMachineConfig,
  validateMachineConfig,
} from './validate.ts';
export {
  marshalYamlV2,
  readBackFromGoJson,
  type YamlPath,
  YamlV2ReadError,
  type YamlValue,
} from './yamlv2/index.ts';
