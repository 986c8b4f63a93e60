/**
 * One collection of objects of one resource in one simulated cluster: compact records, a cluster-wide
 * resourceVersion counter, a bounded history of change events for watches (older resourceVersions get
 * 410 Gone), and the open watches. Objects are serialised only when someone reads or watches them.
 */
import { conflict, notFound, StatusError } from './status.ts';

/** What every stored record carries. The rest of a record is up to its resource. */
export interface StoredRecord {
  name: string;
  namespace: string | undefined;
  uid: string;
  /** resourceVersion of the last write. */
  rv: number;
  labels: Readonly<Record<string, string>>;
}

/** A Kubernetes object as served (JSON). */
export type KObject = { apiVersion: string; kind: string; metadata: Record<string, unknown> } & Record<
  string,
  unknown
>;

/** How one resource is served: its names and its record ↔ object mapping. */
export interface ResourceType<R extends StoredRecord> {
  group: string;
  version: string;
  plural: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  shortNames: string[];
  verbs: string[];
  /** Field selectors supported besides metadata.name / metadata.namespace. */
  fieldSelectors: string[];
  /** The full object as served. */
  encode(record: R): KObject;
  /** Field values for field selectors. */
  fields(record: R): Record<string, string>;
}

/** A change, kept for watches. The object is stored serialised: small, and written as is. */
export interface ChangeEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  rv: number;
  json: string;
  namespace: string | undefined;
  labels: Readonly<Record<string, string>>;
  fields: Record<string, string>;
  /** Labels and fields before the change (to turn a selector watch's MODIFIED into ADDED/DELETED). */
  before?: { labels: Readonly<Record<string, string>>; fields: Record<string, string> };
}

/** An in-process change listener: the record after the change, and before it (MODIFIED, DELETED). */
export type ChangeListener<R> = (type: ChangeEvent['type'], record: R, before: R | undefined) => void;

/** An open watch on a collection. */
export interface Watcher {
  namespace: string | undefined;
  matches(labels: Readonly<Record<string, string>>, fields: Record<string, string>): boolean;
  send(type: string, json: string): void;
}

/** The cluster-wide resourceVersion counter (one per simulated cluster, like etcd's revision). */
export class RevisionCounter {
  value = 1;
  next(): number {
    return ++this.value;
  }
}

export class Collection<R extends StoredRecord> {
  readonly type: ResourceType<R>;
  private readonly records = new Map<string, R>();
  private readonly history: ChangeEvent[] = [];
  private readonly watchers = new Set<Watcher>();
  private readonly listeners = new Set<ChangeListener<R>>();
  private readonly revisions: RevisionCounter;
  private readonly historyLimit: number;
  /** Oldest resourceVersion a watch can still start from. */
  private horizon: number;

  constructor(type: ResourceType<R>, revisions: RevisionCounter, historyLimit: number) {
    this.type = type;
    this.revisions = revisions;
    this.historyLimit = historyLimit;
    this.horizon = revisions.value;
  }

  static key(namespace: string | undefined, name: string): string {
    return namespace ? `${namespace}/${name}` : name;
  }

  get size(): number {
    return this.records.size;
  }

  get(namespace: string | undefined, name: string): R | undefined {
    return this.records.get(Collection.key(namespace, name));
  }

  /** Like {@link get}, or a 404 Status. */
  require(namespace: string | undefined, name: string): R {
    const record = this.get(namespace, name);
    if (!record) throw notFound(this.type.group, this.type.plural, name);
    return record;
  }

  /** Records in key order (namespace, then name), as etcd lists them. */
  list(namespace?: string): R[] {
    const all = [...this.records.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    return all.map(([, r]) => r).filter((r) => namespace === undefined || r.namespace === namespace);
  }

  /** Creates a record (409 AlreadyExists if the name is taken). */
  create(record: R): R {
    const key = Collection.key(record.namespace, record.name);
    if (this.records.has(key)) {
      const resource = this.type.group ? `${this.type.plural}.${this.type.group}` : this.type.plural;
      throw new StatusError(409, 'AlreadyExists', `${resource} "${record.name}" already exists`, {
        name: record.name,
        group: this.type.group,
        kind: this.type.plural,
      });
    }
    record.rv = this.revisions.next();
    this.records.set(key, record);
    this.emit('ADDED', record);
    for (const listener of this.listeners) listener('ADDED', record, undefined);
    return record;
  }

  /**
   * Replaces a record. With `expectedRv` (from the client's object) a stale write is a 409 Conflict,
   * the optimistic concurrency every controller relies on.
   */
  update(record: R, expectedRv?: number): R {
    const key = Collection.key(record.namespace, record.name);
    const current = this.records.get(key);
    if (!current) throw notFound(this.type.group, this.type.plural, record.name);
    if (expectedRv !== undefined && expectedRv !== current.rv)
      throw conflict(this.type.group, this.type.plural, record.name);
    const before = { labels: current.labels, fields: this.type.fields(current) };
    record.rv = this.revisions.next();
    this.records.set(key, record);
    this.emit('MODIFIED', record, before);
    for (const listener of this.listeners) listener('MODIFIED', record, current);
    return record;
  }

  delete(namespace: string | undefined, name: string): R {
    const key = Collection.key(namespace, name);
    const current = this.records.get(key);
    if (!current) throw notFound(this.type.group, this.type.plural, name);
    this.records.delete(key);
    current.rv = this.revisions.next();
    this.emit('DELETED', current);
    for (const listener of this.listeners) listener('DELETED', current, current);
    return current;
  }

  /** The current list resourceVersion (the cluster revision). */
  get revision(): number {
    return this.revisions.value;
  }

  /**
   * Opens a watch from `sinceRv` (exclusive). Returns the events to replay, or throws 410 Gone when that
   * version is older than the history kept.
   */
  watch(watcher: Watcher, sinceRv: number | undefined): ChangeEvent[] {
    let replay: ChangeEvent[] = [];
    if (sinceRv !== undefined && sinceRv !== 0) {
      if (sinceRv < this.horizon)
        throw new StatusError(410, 'Expired', `too old resource version: ${sinceRv} (${this.horizon})`);
      replay = this.history.filter((e) => e.rv > sinceRv);
    }
    this.watchers.add(watcher);
    return replay;
  }

  unwatch(watcher: Watcher): void {
    this.watchers.delete(watcher);
  }

  /**
   * Calls `listener` after every change, with the records (in-process controllers use it as an informer).
   * Returns an unsubscribe function.
   */
  subscribe(listener: ChangeListener<R>): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Open watches, for fault injection (disconnects) and shutdown. */
  get openWatches(): ReadonlySet<Watcher> {
    return this.watchers;
  }

  private emit(type: ChangeEvent['type'], record: R, before?: ChangeEvent['before']): void {
    const object = this.type.encode(record);
    const event: ChangeEvent = {
      type,
      rv: record.rv,
      json: JSON.stringify(object),
      namespace: record.namespace,
      labels: record.labels,
      fields: this.type.fields(record),
      before,
    };
    this.history.push(event);
    if (this.history.length > this.historyLimit) {
      const dropped = this.history.splice(0, this.history.length - this.historyLimit);
      this.horizon = dropped[dropped.length - 1]!.rv;
    }
    for (const watcher of this.watchers) deliver(watcher, event);
  }
}

/** Sends one change to one watch, as a real API server does for a watch with selectors. */
export function deliver(watcher: Watcher, event: ChangeEvent): void {
  if (watcher.namespace !== undefined && event.namespace !== watcher.namespace) return;
  const now = watcher.matches(event.labels, event.fields);
  const was = event.before ? watcher.matches(event.before.labels, event.before.fields) : now;
  if (event.type === 'MODIFIED' && was !== now) watcher.send(now ? 'ADDED' : 'DELETED', event.json);
  else if (now) watcher.send(event.type, event.json);
}
