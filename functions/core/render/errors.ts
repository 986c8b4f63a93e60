/**
 * Errors of the render engine. Every error says where (source file, MachineConfig, field) and why, so the
 * CLI and the rollout engine can report it as one line without a stack trace.
 */
import type { YamlPath, YamlV2ReadProblem } from './yamlv2/index.ts';

/** Where a problem was found. Any part may be unknown. */
export interface RenderErrorLocation {
  /** Source the object was read from (file name, or a label such as `<stdin>`). */
  file?: string;
  /** Object the problem is in, e.g. `MachineConfig "99-worker-ssh"`. */
  object?: string;
  /** Field path inside the object, e.g. `spec.config.storage.files[2].mode`. */
  field?: string;
}

/** Bad input to the render engine: invalid YAML, Ignition, MachineConfig, selector or pool. */
export class RenderError extends Error {
  readonly file: string | undefined;
  readonly object: string | undefined;
  readonly field: string | undefined;
  /** The reason alone, without the location. */
  readonly reason: string;
  constructor(location: RenderErrorLocation, reason: string) {
    super(formatLocation(location, reason));
    this.name = 'RenderError';
    this.file = location.file;
    this.object = location.object;
    this.field = location.field;
    this.reason = reason;
  }
}

/**
 * A rendered spec that go-yaml v2 cannot read back from its JSON text, so MCO cannot name the rendered
 * config and the pool does not render (see `yamlv2/read-json.ts`). As thrown by `renderedName`, `field` is
 * the path in the rendered spec (`spec.kernelArguments[1]`); `renderPool` re-throws it located at the
 * MachineConfig field the string came from.
 */
export class UnreadableSpecError extends RenderError {
  readonly kind: YamlV2ReadProblem;
  /** Path of the string in the rendered spec, from `spec`. */
  readonly specPath: YamlPath;
  /** The string as it is in the spec. */
  readonly value: string;
  /** go-yaml's own error text, e.g. `yaml: control characters are not allowed`. */
  readonly problem: string;
  constructor(
    location: RenderErrorLocation,
    reason: string,
    details: { kind: YamlV2ReadProblem; specPath: YamlPath; value: string; problem: string },
  ) {
    super(location, reason);
    this.name = 'UnreadableSpecError';
    this.kind = details.kind;
    this.specPath = details.specPath;
    this.value = details.value;
    this.problem = details.problem;
  }
}

/** The new rendered config cannot be applied in place over the current one (MCO's "Unreconcilable"). */
export class UnreconcilableError extends Error {
  /** MCO's message for the first rule that failed, e.g. `ignition disks section contains changes`. */
  readonly reason: string;
  constructor(message: string, reason: string = message) {
    super(message);
    this.name = 'UnreconcilableError';
    this.reason = reason;
  }
}

/** A node matches more than one custom pool (MCO skips such nodes). */
export class PoolResolutionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PoolResolutionError';
  }
}

function formatLocation(location: RenderErrorLocation, reason: string): string {
  const parts: string[] = [];
  if (location.file) parts.push(location.file);
  if (location.object) parts.push(location.object);
  if (location.field) parts.push(location.field);
  return parts.length > 0 ? `${parts.join(': ')}: ${reason}` : reason;
}
