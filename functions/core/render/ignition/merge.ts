/**
 * Ignition 3.5 merge (`config/merge/merge.go`): `merge(parent, child)` returns a new config; inputs are
 * not modified. Rules, per field kind (see schema.ts):
 * - primitives take the child's value, even a zero one; pointers take the child's only when set;
 * - structs merge recursively, an all-zero child keeps the parent and an all-zero parent takes the child;
 * - for string and concatenated lists, an empty child list keeps the parent's and an empty parent list
 *   takes the child's;
 * - keyed lists: a parent entry whose key the child also has is merged in the parent's position; a parent
 *   entry whose key the child has in a sibling list of the same key space (files/directories/links by
 *   path) is dropped; child-only entries are appended in child order;
 * - string lists are keyed by value (order-preserving union, parent first; duplicates inside the parent
 *   stay); `concat` lists (file `append`, filesystem/luks/raid options) are concatenated.
 */
import { type FieldSpec, fieldsOf, type IgnObject, type IgnValue } from './schema.ts';

/** Merges `child` over `parent` (both of Go type `type`, `Config` by default). */
export function mergeIgnition(parent: IgnObject, child: IgnObject, type = 'Config'): IgnObject {
  return mergeStruct(type, parent, child);
}

function mergeStruct(type: string, parent: IgnObject, child: IgnObject): IgnObject {
  const fields = fieldsOf(type);
  const out: IgnObject = {};
  for (const field of fields) {
    const value = mergeField(field, parent[field.name], child[field.name], fields, child);
    if (value !== undefined) out[field.name] = value;
  }
  return out;
}

function mergeField(
  field: FieldSpec,
  p: IgnValue | undefined,
  c: IgnValue | undefined,
  siblings: FieldSpec[],
  childStruct: IgnObject,
): IgnValue | undefined {
  const t = field.type;
  switch (t.kind) {
    case 'str':
    case 'int':
      return c;
    case 'pstr':
    case 'pint':
    case 'pbool':
      return c !== undefined ? c : p;
    case 'struct':
      if (c === undefined) return p;
      if (p === undefined) return c;
      return mergeStruct(t.type, p as IgnObject, c as IgnObject);
    case 'concat': {
      const pl = p as IgnValue[] | undefined;
      const cl = c as IgnValue[] | undefined;
      if (!cl || cl.length === 0) return p;
      if (!pl || pl.length === 0) return c;
      return [...pl, ...cl];
    }
    case 'plist': {
      const pl = p as string[] | undefined;
      const cl = c as string[] | undefined;
      if (!cl || cl.length === 0) return p;
      if (!pl || pl.length === 0) return c;
      const inParent = new Set(pl);
      return [...pl, ...cl.filter((v) => !inParent.has(v))];
    }
    case 'list': {
      const pl = (p as IgnObject[] | undefined) ?? [];
      const cl = (c as IgnObject[] | undefined) ?? [];
      // No early exit for an empty child list: a sibling list may still claim a parent entry's key.
      const childByKey = new Map<string, IgnObject>();
      for (const item of cl) childByKey.set(t.key(item), item);
      // Keys the child defines in other lists of the same key space: the parent's entry is replaced there.
      const elsewhere = new Set<string>();
      if (t.space) {
        for (const other of siblings) {
          if (other === field || other.type.kind !== 'list' || other.type.space !== t.space) continue;
          const otherKey = other.type.key;
          for (const item of (childStruct[other.name] as IgnObject[] | undefined) ?? [])
            elsewhere.add(otherKey(item));
        }
      }
      const result: IgnObject[] = [];
      const merged = new Set<string>();
      for (const item of pl) {
        const key = t.key(item);
        const match = childByKey.get(key);
        if (match) {
          result.push(mergeStruct(t.type, item, match));
          merged.add(key);
        } else if (!elsewhere.has(key)) {
          result.push(item);
        }
      }
      for (const item of cl) if (!merged.has(t.key(item))) result.push(item);
      return result.length === 0 && pl.length === 0 && cl.length === 0 ? (p ?? c) : result;
    }
  }
}
