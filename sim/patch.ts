/**
 * The three patch types of the Kubernetes API: JSON merge patch (RFC 7386), strategic merge patch (merge
 * patch plus keyed list merges for the lists Strata and kubectl touch) and JSON patch (RFC 6902).
 * Hand-written because the strategic flavour exists only in Go; the subset here covers the lists with
 * patch merge keys on the objects the simulator serves.
 */

/** A patch the API server cannot apply (400 / 422 for the caller). */
export class PatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PatchError';
  }
}

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

export const contentTypes = {
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  json: 'application/json-patch+json',
  apply: 'application/apply-patch+yaml',
} as const;

/** List fields merged by key in a strategic merge patch (path without indices → merge key). */
const mergeKeys: Record<string, string> = {
  'spec.taints': 'key',
  'status.conditions': 'type',
  'status.addresses': 'type',
  'metadata.ownerReferences': 'uid',
  'metadata.finalizers': '',
  'spec.containers': 'name',
  'spec.initContainers': 'name',
  'spec.volumes': 'name',
  'spec.tolerations': '',
};

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Applies a patch of the given content type to a copy of `target` and returns the copy. */
export function applyPatch(target: JsonObject, contentType: string, patch: unknown): JsonObject {
  const type = contentType.split(';')[0]!.trim();
  if (type === contentTypes.json) return jsonPatch(target, patch);
  if (!isObject(patch)) throw new PatchError('the patch must be a JSON object');
  if (type === contentTypes.merge) return mergePatch(target, patch) as JsonObject;
  if (type === contentTypes.strategic) return strategicMerge(target, patch, '') as JsonObject;
  throw new PatchError(`unsupported patch type "${type}"`);
}

/** RFC 7386: objects merge recursively, null deletes, everything else replaces. */
export function mergePatch(target: Json | undefined, patch: Json): Json {
  if (!isObject(patch)) return structuredClone(patch);
  const result: JsonObject = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

function strategicMerge(target: Json | undefined, patch: Json, path: string): Json {
  if (!isObject(patch)) return structuredClone(patch);
  if (patch.$patch === 'replace') {
    const { $patch: _, ...rest } = patch;
    return structuredClone(rest);
  }
  if (patch.$patch === 'delete') return null;
  const result: JsonObject = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith('$setElementOrder/') || key === '$retainKeys' || key === '$patch') continue;
    if (key.startsWith('$deleteFromPrimitiveList/')) {
      const field = key.slice('$deleteFromPrimitiveList/'.length);
      const current = result[field];
      if (Array.isArray(current) && Array.isArray(value))
        result[field] = current.filter((item) => !value.includes(item));
      continue;
    }
    const childPath = path ? `${path}.${key}` : key;
    if (value === null) delete result[key];
    else if (Array.isArray(value) && childPath in mergeKeys)
      result[key] = mergeList(result[key], value, mergeKeys[childPath]!);
    else result[key] = strategicMerge(result[key], value, childPath);
  }
  return result;
}

function mergeList(target: Json | undefined, patch: Json[], key: string): Json[] {
  const current = Array.isArray(target) ? [...target] : [];
  if (key === '') {
    // A list of primitives with merge strategy: union, keeping order.
    for (const item of patch)
      if (!current.some((c) => JSON.stringify(c) === JSON.stringify(item))) current.push(item);
    return current;
  }
  for (const item of patch) {
    if (!isObject(item)) throw new PatchError(`list items must be objects with a "${key}" field`);
    const index = current.findIndex((c) => isObject(c) && c[key] === item[key]);
    if (item.$patch === 'delete') {
      if (index >= 0) current.splice(index, 1);
    } else if (index >= 0) current[index] = strategicMerge(current[index], item, '');
    else current.push(structuredClone(item));
  }
  return current;
}

function decodePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new PatchError(`invalid JSON pointer "${pointer}"`);
  return pointer
    .slice(1)
    .split('/')
    .map((p) => p.replaceAll('~1', '/').replaceAll('~0', '~'));
}

/** RFC 6902 operations on a copy of `target`. */
export function jsonPatch(target: JsonObject, ops: unknown): JsonObject {
  if (!Array.isArray(ops)) throw new PatchError('a JSON patch must be a list of operations');
  let doc: Json = structuredClone(target);
  const parentOf = (path: string[], create: boolean): [Json, string] => {
    let node: Json = doc;
    for (const part of path.slice(0, -1)) {
      const next: Json | undefined = Array.isArray(node)
        ? node[Number(part)]
        : isObject(node)
          ? node[part]
          : undefined;
      if (next === undefined) {
        if (!create || !isObject(node)) throw new PatchError(`path "/${path.join('/')}" does not exist`);
        node[part] = {};
        node = node[part]!;
      } else node = next;
    }
    return [node, path[path.length - 1]!];
  };
  const get = (path: string[]): Json => {
    if (path.length === 0) return doc;
    const [parent, last] = parentOf(path, false);
    const value = Array.isArray(parent) ? parent[Number(last)] : isObject(parent) ? parent[last] : undefined;
    if (value === undefined) throw new PatchError(`path "/${path.join('/')}" does not exist`);
    return value;
  };
  const remove = (path: string[]): void => {
    const [parent, last] = parentOf(path, false);
    if (Array.isArray(parent)) parent.splice(Number(last), 1);
    else if (isObject(parent) && last in parent) delete parent[last];
    else throw new PatchError(`path "/${path.join('/')}" does not exist`);
  };
  const add = (path: string[], value: Json, replace: boolean): void => {
    if (path.length === 0) {
      doc = value;
      return;
    }
    const [parent, last] = parentOf(path, false);
    if (Array.isArray(parent)) {
      const index = last === '-' ? parent.length : Number(last);
      if (!Number.isInteger(index) || index < 0 || index > parent.length)
        throw new PatchError(`index "${last}" out of range`);
      if (replace) parent[index] = value;
      else parent.splice(index, 0, value);
    } else if (isObject(parent)) {
      if (replace && !(last in parent)) throw new PatchError(`path "/${path.join('/')}" does not exist`);
      parent[last] = value;
    } else throw new PatchError(`path "/${path.join('/')}" does not exist`);
  };
  for (const op of ops) {
    if (!isObject(op) || typeof op.op !== 'string' || typeof op.path !== 'string')
      throw new PatchError('each JSON patch operation needs "op" and "path"');
    const path = decodePointer(op.path);
    switch (op.op) {
      case 'add':
        add(path, structuredClone(op.value ?? null), false);
        break;
      case 'replace':
        add(path, structuredClone(op.value ?? null), true);
        break;
      case 'remove':
        remove(path);
        break;
      case 'move':
      case 'copy': {
        const from = decodePointer(String(op.from));
        const value = structuredClone(get(from));
        if (op.op === 'move') remove(from);
        add(path, value, false);
        break;
      }
      case 'test':
        if (JSON.stringify(get(path)) !== JSON.stringify(op.value))
          throw new PatchError(`test operation failed at "${op.path}"`);
        break;
      default:
        throw new PatchError(`unknown JSON patch operation "${op.op}"`);
    }
  }
  if (!isObject(doc)) throw new PatchError('the patched document is not an object');
  return doc;
}
