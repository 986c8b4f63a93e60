/**
 * Serialising an Ignition config as MCO does with `github.com/clarketm/json`: fields in Go struct order,
 * `omitempty` drops unset pointers, empty strings, zero numbers, empty lists and empty structs (a struct
 * is empty when every field of it is empty), fields without `omitempty` are always written.
 */
import { fieldsOf, type IgnObject, type IgnValue } from './schema.ts';

/** A JSON value with object keys in output order. */
export type JsonTree = string | number | boolean | null | JsonTree[] | { [key: string]: JsonTree };

/** The config as the JSON tree clarketm/json would write (keys in Go field order). */
export function toJsonTree(config: IgnObject, type = 'Config'): { [key: string]: JsonTree } {
  return structTree(type, config);
}

function structTree(type: string, value: IgnObject | undefined): { [key: string]: JsonTree } {
  const out: { [key: string]: JsonTree } = {};
  for (const field of fieldsOf(type)) {
    const v = value?.[field.name];
    const t = field.type;
    if (field.omitempty && isEmpty(t.kind === 'struct' ? t.type : undefined, v)) continue;
    switch (t.kind) {
      case 'str':
        out[field.name] = (v as string | undefined) ?? '';
        break;
      case 'int':
        out[field.name] = (v as number | undefined) ?? 0;
        break;
      case 'struct':
        out[field.name] = structTree(t.type, v as IgnObject | undefined);
        break;
      case 'list':
        out[field.name] = (v as IgnObject[]).map((item) => structTree(t.type, item));
        break;
      case 'concat':
        out[field.name] = (v as IgnValue[]).map((item) =>
          t.type ? structTree(t.type, item as IgnObject) : (item as string),
        );
        break;
      default:
        out[field.name] = v as JsonTree;
    }
  }
  return out;
}

// Primitive zero values are never stored (see decode.ts), so "unset" covers zero strings and numbers, and a
// pointer to a zero value (e.g. `overwrite: false`) is set and therefore not empty.
function isEmpty(structType: string | undefined, v: IgnValue | undefined): boolean {
  if (v === undefined) return true;
  if (Array.isArray(v)) return v.length === 0;
  if (!structType) return false;
  const obj = v as IgnObject;
  return fieldsOf(structType).every((f) =>
    isEmpty(f.type.kind === 'struct' ? f.type.type : undefined, obj[f.name]),
  );
}

/**
 * JSON text as Go's encoding/json writes it: no spaces, `<`, `>`, `&`, U+2028 and U+2029 escaped as
 * `\u003c`…, other control characters as `\u00XX` (except `\n`, `\r`, `\t`), keys in tree order.
 */
export function goJson(value: JsonTree): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return goJsonString(value);
    case 'number':
    case 'boolean':
      return String(value);
  }
  if (Array.isArray(value)) return `[${value.map(goJson).join(',')}]`;
  const parts: string[] = [];
  for (const key of Object.keys(value)) parts.push(`${goJsonString(key)}:${goJson(value[key] as JsonTree)}`);
  return `{${parts.join(',')}}`;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const needsEscape = /[\u0000-\u001f"\\<>&\u2028\u2029\ud800-\udfff]/;

function goJsonString(s: string): string {
  if (!needsEscape.test(s)) return `"${s}"`;
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        out += s[i]! + s[i + 1]!;
        i++;
        continue;
      }
    }
    if (c >= 0xd800 && c <= 0xdfff)
      out += '\ufffd'; // a lone surrogate is invalid UTF-8 to Go
    else if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += '\\\\';
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x0d) out += '\\r';
    else if (c === 0x09) out += '\\t';
    else if (c < 0x20 || c === 0x3c || c === 0x3e || c === 0x26 || c === 0x2028 || c === 0x2029) {
      out += `\\u${c.toString(16).padStart(4, '0')}`;
    } else out += s[i]!;
  }
  return `${out}"`;
}
