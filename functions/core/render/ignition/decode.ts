/**
 * Decoding a generic JSON value into an Ignition 3.x object, the way Go's `encoding/json` fills the typed
 * structs: wrong JSON types are errors, `null` leaves a field unset, unknown fields are ignored (Ignition
 * reports them as warnings), fields newer than the config's spec version are dropped. Primitive zero
 * values (`""`, `0`) are stored as unset, so "is this struct zero" is "are all its fields unset".
 */
import { type FieldSpec, fieldsOf, type IgnObject, type IgnValue } from './schema.ts';

/** A problem at one field of the config; the caller adds file and object. */
export class DecodeIssue extends Error {
  readonly field: string;
  constructor(field: string, reason: string) {
    super(reason);
    this.name = 'DecodeIssue';
    this.field = field;
  }
}

/** Options of one decode. */
export interface DecodeOptions {
  /** Minor version of the 3.x spec the config declares; fields added later are dropped. */
  minor: number;
  /** Receives one line per ignored field. */
  warnings?: string[];
}

/** Decodes `value` as Go struct `type`; `path` is the field path used in messages. */
export function decodeStruct(
  type: string,
  value: unknown,
  path: string,
  options: DecodeOptions,
): IgnObject | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new DecodeIssue(path, `expected an object, got ${describe(value)}`);
  }
  const input = value as Record<string, unknown>;
  const fields = fieldsOf(type);
  const out: IgnObject = {};
  let set = false;
  for (const field of fields) {
    if (!(field.name in input)) continue;
    if (field.since !== undefined && options.minor < field.since) {
      options.warnings?.push(`${join(path, field.name)}: not part of spec 3.${options.minor}, ignored`);
      continue;
    }
    const decoded = decodeField(field, input[field.name], join(path, field.name), options);
    if (decoded !== undefined) {
      out[field.name] = decoded;
      set = true;
    }
  }
  if (options.warnings) {
    const known = fieldNames(type);
    for (const key of Object.keys(input)) {
      if (!known.has(key)) options.warnings.push(`${join(path, key)}: unknown field, ignored`);
    }
  }
  return set ? out : undefined;
}

const namesByType = new Map<string, Set<string>>();

function fieldNames(type: string): Set<string> {
  let names = namesByType.get(type);
  if (!names) {
    names = new Set(fieldsOf(type).map((f) => f.name));
    namesByType.set(type, names);
  }
  return names;
}

function decodeField(
  field: FieldSpec,
  value: unknown,
  path: string,
  options: DecodeOptions,
): IgnValue | undefined {
  if (value === null || value === undefined) return undefined;
  const t = field.type;
  switch (t.kind) {
    case 'str':
      return expectString(value, path) || undefined;
    case 'pstr':
      return expectString(value, path);
    case 'int': {
      const n = expectInt(value, path);
      return n === 0 ? undefined : n;
    }
    case 'pint':
      return expectInt(value, path);
    case 'pbool':
      if (typeof value !== 'boolean')
        throw new DecodeIssue(path, `expected a boolean, got ${describe(value)}`);
      return value;
    case 'struct':
      return decodeStruct(t.type, value, path, options);
    case 'plist':
      return expectArray(value, path).map((item, i) => expectString(item, `${path}[${i}]`));
    case 'list':
      return expectArray(value, path).map(
        (item, i) => decodeStruct(t.type, item, `${path}[${i}]`, options) ?? ({} as IgnObject),
      );
    case 'concat':
      return expectArray(value, path).map((item, i) =>
        t.type
          ? (decodeStruct(t.type, item, `${path}[${i}]`, options) ?? ({} as IgnObject))
          : expectString(item, `${path}[${i}]`),
      );
  }
}

function expectString(value: unknown, path: string): string {
  if (typeof value !== 'string') throw new DecodeIssue(path, `expected a string, got ${describe(value)}`);
  return value;
}

function expectInt(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new DecodeIssue(path, `expected an integer, got ${describe(value)}`);
  }
  if (!Number.isSafeInteger(value)) throw new DecodeIssue(path, `integer ${value} is out of range`);
  return value;
}

function expectArray(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) throw new DecodeIssue(path, `expected a list, got ${describe(value)}`);
  return value;
}

/** `a string "x"`, `the number 1.5`, `an object`… for messages. */
export function describe(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return 'a list';
  switch (typeof value) {
    case 'string':
      return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
    case 'number':
      return `the number ${value}`;
    case 'boolean':
      return `the boolean ${value}`;
    case 'object':
      return 'an object';
    default:
      return typeof value;
  }
}

function join(path: string, name: string): string {
  return path ? `${path}.${name}` : name;
}
