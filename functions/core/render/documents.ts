/**
 * Reading MachineConfig and MachineConfigPool objects from YAML or JSON text: one document, several
 * (`---`), or a `List` with `items`. YAML is read as Kubernetes reads it (YAML 1.1 via go-yaml v2:
 * `yes`/`on` are booleans, `0644` is octal), except that timestamps and sexagesimal numbers stay strings,
 * as go-yaml v2 leaves them when decoding into untyped values.
 */
import { LineCounter, parseAllDocuments, type ScalarTag } from 'yaml';
import { RenderError } from './errors.ts';
import { describe } from './ignition/decode.ts';
import { type MachineConfig, type MachineConfigPool, McoKeys, mcoApiVersion } from './types.ts';

/** What one text held. */
export interface ParsedDocuments {
  machineConfigs: MachineConfig[];
  pools: MachineConfigPool[];
  /** Objects of other kinds, skipped (one line each). */
  skipped: string[];
}

const sources = new WeakMap<object, string>();

// go-yaml v2 resolves integers with Go's strconv.ParseInt(s, 0, 64), so `0o755` is octal too.
const goOctal: ScalarTag = {
  identify: (value) => typeof value === 'number',
  default: true,
  tag: 'tag:yaml.org,2002:int',
  format: 'OCT',
  test: /^[-+]?0o[0-7_]+$/,
  resolve: (text) => {
    const negative = text.startsWith('-');
    const value = Number.parseInt(text.replace(/^[-+]?0o/, '').replaceAll('_', ''), 8);
    return negative ? -value : value;
  },
};

/** The source name a MachineConfig was parsed from, if it came from `parseMachineConfigs`. */
export function sourceOf(object: object): string | undefined {
  return sources.get(object);
}

/** `MachineConfig "name"` for messages. */
export function objectLabel(kind: string, name: unknown): string {
  return `${kind} ${typeof name === 'string' && name ? JSON.stringify(name) : '(unnamed)'}`;
}

/**
 * Parses every MachineConfig and MachineConfigPool in `text`. `sourceName` (a file name) is used in
 * errors and remembered for later errors about these objects (see `sourceOf`). Throws `RenderError`.
 */
export function parseMachineConfigs(text: string, sourceName: string): ParsedDocuments {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, {
    version: '1.1',
    uniqueKeys: true,
    prettyErrors: false,
    lineCounter,
    customTags: (tags) => [
      goOctal,
      ...tags.filter(
        (t) => typeof t === 'string' || (t.format !== 'TIME' && t.tag !== 'tag:yaml.org,2002:timestamp'),
      ),
    ],
  });
  const result: ParsedDocuments = { machineConfigs: [], pools: [], skipped: [] };
  const list = Array.isArray(docs) ? docs : [docs];
  list.forEach((doc, index) => {
    const where = list.length > 1 ? `document ${index + 1}` : undefined;
    const error = doc.errors[0];
    if (error) {
      const pos = lineCounter.linePos(error.pos[0]);
      const at = pos ? `line ${pos.line}, column ${pos.col}` : where;
      throw new RenderError(
        { file: sourceName, object: at },
        `invalid YAML: ${error.message.split('\n')[0]}`,
      );
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (e) {
      throw new RenderError({ file: sourceName, object: where }, `invalid YAML: ${(e as Error).message}`);
    }
    if (value === null || value === undefined) return;
    collect(value, sourceName, where ?? 'document', result);
  });
  return result;
}

function collect(value: unknown, file: string, where: string, out: ParsedDocuments): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new RenderError({ file, object: where }, `expected a Kubernetes object, got ${describe(value)}`);
  }
  const obj = value as Record<string, unknown>;
  const kind = obj.kind;
  if (kind === 'List' || (typeof kind === 'string' && kind.endsWith('List') && Array.isArray(obj.items))) {
    if (!Array.isArray(obj.items))
      throw new RenderError({ file, object: where, field: 'items' }, 'a List needs a list of items');
    obj.items.forEach((item, i) => {
      collect(item, file, `${where} item ${i + 1}`, out);
    });
    return;
  }
  if (kind === 'MachineConfig') {
    out.machineConfigs.push(checkMachineConfig(obj, file, where));
    return;
  }
  if (kind === 'MachineConfigPool') {
    out.pools.push(checkPool(obj, file, where));
    return;
  }
  if (typeof kind !== 'string')
    throw new RenderError({ file, object: where, field: 'kind' }, 'kind is missing');
  out.skipped.push(`${file}: ${where}: ${kind} skipped (not a MachineConfig or MachineConfigPool)`);
}

function checkMeta(obj: Record<string, unknown>, kind: string, file: string, where: string): string {
  const meta = obj.metadata;
  if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) {
    throw new RenderError({ file, object: `${kind} in ${where}`, field: 'metadata' }, 'metadata is missing');
  }
  const m = meta as Record<string, unknown>;
  if (typeof m.name !== 'string' || m.name === '') {
    throw new RenderError(
      { file, object: `${kind} in ${where}`, field: 'metadata.name' },
      'a name is required',
    );
  }
  const object = objectLabel(kind, m.name);
  for (const field of ['labels', 'annotations']) {
    const v = m[field];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'object' || Array.isArray(v)) {
      throw new RenderError(
        { file, object, field: `metadata.${field}` },
        `expected a map of strings, got ${describe(v)}`,
      );
    }
    for (const [key, val] of Object.entries(v as Record<string, unknown>)) {
      if (typeof val !== 'string') {
        throw new RenderError(
          { file, object, field: `metadata.${field}.${key}` },
          `expected a string, got ${describe(val)} (quote it)`,
        );
      }
    }
  }
  if (obj.apiVersion !== mcoApiVersion) {
    throw new RenderError(
      { file, object, field: 'apiVersion' },
      `expected ${mcoApiVersion}, got ${obj.apiVersion === undefined ? 'nothing' : describe(obj.apiVersion)}`,
    );
  }
  return object;
}

function checkMachineConfig(obj: Record<string, unknown>, file: string, where: string): MachineConfig {
  const object = checkMeta(obj, 'MachineConfig', file, where);
  const spec = obj.spec ?? {};
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) {
    throw new RenderError({ file, object, field: 'spec' }, `expected an object, got ${describe(spec)}`);
  }
  const s = spec as Record<string, unknown>;
  for (const field of ['osImageURL', 'baseOSExtensionsContainerImage', 'kernelType']) {
    if (s[field] !== undefined && s[field] !== null && typeof s[field] !== 'string') {
      throw new RenderError(
        { file, object, field: `spec.${field}` },
        `expected a string, got ${describe(s[field])}`,
      );
    }
  }
  if (s.fips !== undefined && s.fips !== null && typeof s.fips !== 'boolean') {
    throw new RenderError(
      { file, object, field: 'spec.fips' },
      `expected a boolean, got ${describe(s.fips)}`,
    );
  }
  for (const field of ['kernelArguments', 'extensions']) {
    const v = s[field];
    if (v === undefined || v === null) continue;
    if (!Array.isArray(v))
      throw new RenderError(
        { file, object, field: `spec.${field}` },
        `expected a list of strings, got ${describe(v)}`,
      );
    v.forEach((item, i) => {
      if (typeof item !== 'string') {
        throw new RenderError(
          { file, object, field: `spec.${field}[${i}]` },
          `expected a string, got ${describe(item)}`,
        );
      }
    });
  }
  const mc = obj as unknown as MachineConfig;
  if (obj.spec === undefined || obj.spec === null) mc.spec = {};
  sources.set(mc, file);
  return mc;
}

function checkPool(obj: Record<string, unknown>, file: string, where: string): MachineConfigPool {
  const object = checkMeta(obj, 'MachineConfigPool', file, where);
  const spec = obj.spec ?? {};
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) {
    throw new RenderError({ file, object, field: 'spec' }, `expected an object, got ${describe(spec)}`);
  }
  const pool = obj as unknown as MachineConfigPool;
  if (obj.spec === undefined || obj.spec === null) pool.spec = {};
  sources.set(pool, file);
  return pool;
}

/** The role label of an MC, if any. */
export function roleOf(mc: MachineConfig): string | undefined {
  return mc.metadata.labels?.[McoKeys.role];
}
