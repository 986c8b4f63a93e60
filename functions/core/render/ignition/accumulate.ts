/**
 * MCO's fold of many configs (`outIgn = Merge(outIgn, child)` for each MachineConfig, with MCO's
 * compression workaround around each merge), computed without copying the large lists on every step.
 *
 * The result is the same as folding `mergeIgnition` (merge.ts) and applying the passes; a property test
 * checks that. The big keyed lists (storage files/directories/links, systemd units) are kept in arrays
 * with a key index and merged in place; every other part goes through `mergeIgnition`. This relies on
 * what validation guarantees for each input config: paths are unique across files, directories and links,
 * and unit names are unique.
 */
import { mergeIgnition } from './merge.ts';
import type { IgnObject } from './schema.ts';

const nodeLists = ['directories', 'files', 'links'] as const;
type NodeList = (typeof nodeLists)[number];
const nodeType: Record<NodeList, string> = { directories: 'Directory', files: 'File', links: 'Link' };

interface KeyedList {
  items: IgnObject[];
  index: Map<string, number>;
  /** Whether any input had the list (even empty): an absent list stays absent. */
  present: boolean;
}

const emptyList = (): KeyedList => ({ items: [], index: new Map(), present: false });

/** A file entry (and its contents) as a new object, so the passes can change it in place. */
function ownFile(file: IgnObject, emptyCompression: boolean): IgnObject {
  if (file.contents === undefined && !emptyCompression) return { ...file };
  const contents = { ...((file.contents as IgnObject | undefined) ?? {}) };
  if (emptyCompression && contents.compression === undefined) contents.compression = '';
  return { ...file, contents };
}

function unsetEmptyCompression(file: IgnObject): void {
  const contents = file.contents as IgnObject | undefined;
  if (contents?.compression !== '') return;
  delete contents.compression;
  if (Object.keys(contents).length === 0) delete file.contents;
}

/** Folds Ignition 3.5 configs the way MCO's `MergeMachineConfigs` does. */
export class IgnitionAccumulator {
  private rest: IgnObject;
  private readonly nodes: Record<NodeList, KeyedList> = {
    directories: emptyList(),
    files: emptyList(),
    links: emptyList(),
  };
  private readonly units: KeyedList = emptyList();
  private merges = 0;

  /** Starts from the first config (parsed, converted to 3.5). */
  constructor(base: IgnObject) {
    const { rest, nodes, units } = split(base);
    this.rest = rest;
    for (const list of nodeLists) {
      const items = nodes[list];
      if (!items) continue;
      const acc = this.nodes[list];
      acc.present = true;
      for (const item of items)
        this.append(acc, list === 'files' ? ownFile(item, false) : item, String(item.path ?? ''));
    }
    if (units) {
      this.units.present = true;
      for (const unit of units) this.append(this.units, unit, String(unit.name ?? ''));
    }
  }

  private append(list: KeyedList, item: IgnObject, key: string): void {
    if (!list.index.has(key)) list.index.set(key, list.items.length);
    list.items.push(item);
  }

  /** `Merge(result, child)` with MCO's compression workaround around it. */
  merge(child: IgnObject): void {
    const { rest, nodes, units } = split(child);
    this.rest = mergeIgnition(this.rest, rest);
    const touched: IgnObject[] = [];
    for (const list of nodeLists) {
      let items = nodes[list];
      if (list === 'files' && items) items = items.map((f) => ownFile(f, true));
      const others = new Set<string>();
      for (const other of nodeLists) {
        if (other === list) continue;
        for (const item of nodes[other] ?? []) others.add(String(item.path ?? ''));
      }
      const changed = this.mergeList(
        this.nodes[list],
        items,
        nodeType[list],
        (i) => String(i.path ?? ''),
        others,
      );
      if (list === 'files') touched.push(...changed);
    }
    this.mergeList(this.units, units, 'Unit', (u) => String(u.name ?? ''), new Set());
    // After each merge MCO turns "" back into unset; files untouched by this merge were handled before,
    // except the first config's own entries, handled at the first merge.
    for (const file of this.merges === 0 ? this.nodes.files.items : touched) unsetEmptyCompression(file);
    this.merges++;
  }

  /** Keyed-list merge in place; returns the entries it merged or appended. */
  private mergeList(
    acc: KeyedList,
    child: IgnObject[] | undefined,
    type: string,
    key: (item: IgnObject) => string,
    claimedElsewhere: Set<string>,
  ): IgnObject[] {
    if (child) acc.present = true;
    // Parent entries whose key the child uses in a sibling list of the same key space are dropped.
    let dropped = false;
    for (const k of claimedElsewhere) if (acc.index.has(k)) dropped = true;
    if (dropped) {
      acc.items = acc.items.filter((item) => !claimedElsewhere.has(key(item)));
      acc.index = new Map();
      acc.items.forEach((item, i) => {
        if (!acc.index.has(key(item))) acc.index.set(key(item), i);
      });
    }
    if (!child || child.length === 0) return [];
    const last = new Map<string, IgnObject>();
    for (const item of child) last.set(key(item), item);
    const changed: IgnObject[] = [];
    const existing = new Set<string>();
    for (const [k, item] of last) {
      const pos = acc.index.get(k);
      if (pos === undefined) continue;
      existing.add(k);
      const merged = mergeIgnition(acc.items[pos]!, item, type);
      acc.items[pos] = merged;
      changed.push(merged);
    }
    for (const item of child) {
      const k = key(item);
      if (existing.has(k)) continue;
      this.append(acc, item, k);
      changed.push(item);
    }
    return changed;
  }

  /** The merged config, with MCO's final pass: files without `overwrite` get `overwrite: true`. */
  result(): IgnObject {
    for (const file of this.nodes.files.items) if (file.overwrite === undefined) file.overwrite = true;
    const out: IgnObject = { ...this.rest };
    const storage: IgnObject = { ...((this.rest.storage as IgnObject | undefined) ?? {}) };
    for (const list of nodeLists) if (this.nodes[list].present) storage[list] = this.nodes[list].items;
    if (Object.keys(storage).length > 0) out.storage = storage;
    if (this.units.present)
      out.systemd = { ...((this.rest.systemd as IgnObject | undefined) ?? {}), units: this.units.items };
    return out;
  }
}

function split(config: IgnObject): {
  rest: IgnObject;
  nodes: Partial<Record<NodeList, IgnObject[]>>;
  units: IgnObject[] | undefined;
} {
  const rest: IgnObject = { ...config };
  const nodes: Partial<Record<NodeList, IgnObject[]>> = {};
  const storage = config.storage as IgnObject | undefined;
  if (storage) {
    const restStorage: IgnObject = { ...storage };
    for (const list of nodeLists) {
      if (storage[list] !== undefined) nodes[list] = storage[list] as IgnObject[];
      delete restStorage[list];
    }
    if (Object.keys(restStorage).length > 0) rest.storage = restStorage;
    else delete rest.storage;
  }
  const systemd = config.systemd as IgnObject | undefined;
  const units = systemd?.units as IgnObject[] | undefined;
  if (systemd) {
    const restSystemd: IgnObject = { ...systemd };
    delete restSystemd.units;
    if (Object.keys(restSystemd).length > 0) rest.systemd = restSystemd;
    else delete rest.systemd;
  }
  return { rest, nodes, units };
}
