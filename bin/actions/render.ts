/**
 * `strata render`: renders a pool's MachineConfig from MachineConfig files exactly as OpenShift's Machine
 * Config Operator would and prints it (name `rendered-<pool>-<hash>`). See docs/render.md.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import {
  checkRenderedReconcilable,
  type MachineConfig,
  type MachineConfigPool,
  McoKeys,
  mcoApiVersion,
  mergeOrder,
  objectLabel,
  parseMachineConfigs,
  RenderError,
  renderPool,
  sourceOf,
  UnreconcilableError,
  validateMachineConfig,
} from '../../functions/core/render/index.ts';
import { CliError } from '../cli-error.ts';
import { isUnknownField, unknownFields } from './render-fields.ts';

interface RenderOptions {
  pool: string;
  baseOsImage?: string;
  baseExtensionsImage?: string;
  current?: string;
  requireDigest?: boolean;
  controllerVersion?: string;
  strict?: boolean;
  output: 'yaml' | 'json';
}

const extensions = ['.yaml', '.yml', '.json'];

/** Every MachineConfig file under `path`: the file itself, or a directory's files recursively in name order. */
export function machineConfigFiles(path: string): string[] {
  let stat: ReturnType<typeof statSync>;
  try {
    stat = statSync(path);
  } catch (error) {
    throw new CliError(
      `${path}: cannot read: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (error as Error).message}`,
    );
  }
  if (!stat.isDirectory()) return [path];
  return readdirSync(path)
    .sort()
    .flatMap((name) => {
      const child = join(path, name);
      if (statSync(child).isDirectory()) return machineConfigFiles(child);
      return extensions.some((ext) => name.endsWith(ext)) ? [child] : [];
    });
}

/** The pool to render: a MachineConfigPool from the input, or MCO's conventional selector for the name. */
export function poolFor(name: string, pools: readonly MachineConfigPool[]): MachineConfigPool {
  const given = pools.find((p) => p.metadata.name === name);
  if (given) return given;
  const selector =
    name === 'worker' || name === 'master'
      ? { matchLabels: { [McoKeys.role]: name } }
      : { matchExpressions: [{ key: McoKeys.role, operator: 'In' as const, values: ['worker', name] }] };
  return {
    apiVersion: mcoApiVersion,
    kind: 'MachineConfigPool',
    metadata: { name },
    spec: { machineConfigSelector: selector },
  };
}

function parseFile(file: string): ReturnType<typeof parseMachineConfigs> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new CliError(`${file}: cannot read: ${(error as Error).message}`);
  }
  return parseMachineConfigs(text, file);
}

function run(paths: string[], options: RenderOptions): void {
  const machineConfigs: MachineConfig[] = [];
  const pools: MachineConfigPool[] = [];
  const warnings: string[] = [];
  for (const file of paths.flatMap(machineConfigFiles)) {
    const parsed = parseFile(file);
    machineConfigs.push(...parsed.machineConfigs);
    pools.push(...parsed.pools);
    warnings.push(...parsed.skipped);
  }
  // Every input is checked, not only the pool's: a broken file is reported wherever it is.
  const validated = machineConfigs.map((mc) => validateMachineConfig(mc, options.controllerVersion));
  mergeOrder(validated);
  const unknown = [...machineConfigs, ...pools].flatMap(unknownFields);
  if (options.strict) {
    const refused = [...unknown, ...validated.flatMap((v) => v.warnings).filter(isUnknownField)];
    if (refused.length > 0) {
      throw new CliError(
        `--strict: ${refused.length} unknown field(s), nothing rendered:\n  ${refused.map((r) => r.replace(': unknown field, ignored', ': unknown field')).join('\n  ')}`,
      );
    }
  }
  warnings.push(...unknown);
  const pool = poolFor(options.pool, pools);
  const result = renderPool({
    pool,
    machineConfigs,
    baseOSImage: options.baseOsImage,
    baseOSExtensionsImage: options.baseExtensionsImage,
    controllerVersion: options.controllerVersion,
  });
  warnings.push(...result.warnings.filter((w) => !w.includes('not pinned by digest')));

  const osImageURL = result.machineConfig.spec.osImageURL;
  if (osImageURL && !osImageURL.includes('@sha256:')) {
    const setter = [...result.source]
      .reverse()
      .map((s) =>
        machineConfigs.find((mc) => mc.metadata.name === s.name && mc.spec?.osImageURL === osImageURL),
      )
      .find((mc) => mc !== undefined);
    const where = setter
      ? `${sourceOf(setter) ? `${sourceOf(setter)}: ` : ''}${objectLabel('MachineConfig', setter.metadata.name)}: spec.osImageURL`
      : '--base-os-image';
    const message = `${where}: ${osImageURL} is not pinned by digest (no @sha256:); nodes would follow a moving tag`;
    if (options.requireDigest) throw new CliError(message);
    warnings.push(message);
  }

  if (options.current) {
    const current = parseFile(options.current).machineConfigs[0];
    if (!current) throw new CliError(`${options.current}: no MachineConfig found`);
    const selected = result.source.map((s) => machineConfigs.find((mc) => mc.metadata.name === s.name)!);
    try {
      checkRenderedReconcilable(current, result.machineConfig, selected);
    } catch (error) {
      if (error instanceof UnreconcilableError) {
        throw new CliError(
          `${options.current}: ${objectLabel('MachineConfig', current.metadata.name)}: cannot move to ${result.name} in place: ${error.message}`,
        );
      }
      throw error;
    }
  }

  for (const warning of warnings) process.stderr.write(`strata: warning: ${warning}\n`);
  process.stdout.write(
    options.output === 'json'
      ? `${JSON.stringify(result.machineConfig, null, 2)}\n`
      : stringify(result.machineConfig, { lineWidth: 0 }),
  );
}

/** `strata render PATH… --pool NAME`. */
export function render(paths: string[], options: RenderOptions): void {
  try {
    run(paths, options);
  } catch (error) {
    if (error instanceof RenderError) throw new CliError(error.message);
    throw error;
  }
}
