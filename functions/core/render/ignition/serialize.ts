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
 * JSON text as Go's encoding/json (the clarketm fork) writes it: no spaces, keys in tree order, `<`, `>`,
 * `&`, U+2028 and U+2029 escaped as `\u003c`…, `\b`/`\f` as `\u0008`/`\u000c`, and a lone surrogate
 * (invalid UTF-8 to Go) as U+FFFD. Built on JSON.stringify, which already escapes the rest the same way.
 */
export function goJson(value: JsonTree): string {
  const json = JSON.stringify(value);
  return goDifferences.test(json) ? json.replace(goDifferencesGlobal, goEscape) : json;
}

// An escaped backslash is matched (and kept) first, so `\\b` in the JSON text is not taken for `\b`.
const goDifferences = /[<>&\u2028\u2029]|\\\\|\\[bf]|\\ud[89a-f][0-9a-f]{2}/;
const goDifferencesGlobal = /[<>&\u2028\u2029]|\\\\|\\[bf]|\\ud[89a-f][0-9a-f]{2}/g;

function goEscape(match: string): string {
  switch (match) {
    case '\\\\':
      return match;
    case '\\b':
      return '\\u0008';
    case '\\f':
      return '\\u000c';
  }
  if (match.length === 6) return '\\ufffd';
  return `\\u${match.charCodeAt(0).toString(16).padStart(4, '0')}`;
}
