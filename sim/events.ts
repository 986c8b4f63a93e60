/**
 * core/v1 Events as a cluster records them: the controllers' (MCO's drains, targets, renders) and, in the
 * simulator, every write a client makes through the API. Repeats of the same event (same object, reason,
 * message and source) are counted on one Event, as client-go's event correlator does, and Events expire
 * after an hour of simulated time, as the API server's event TTL makes them.
 */
import type { ObjectRecord } from './resources.ts';
import type { Collection, KObject } from './store.ts';

/** The object an Event is about. */
export interface InvolvedObject {
  kind: string;
  name: string;
  namespace?: string;
  uid?: string;
  apiVersion: string;
}

/** One event to record. */
export interface EventInput {
  involved: InvolvedObject;
  reason: string;
  message: string;
  /** `Normal` (default) or `Warning`. */
  type?: 'Normal' | 'Warning';
  /** The reporting component, e.g. `machineconfigdaemon`. */
  component: string;
  /** The node the reporter runs on, when it runs on one. */
  host?: string;
  /** Namespace to record in (default: the object's, or `default` for cluster-scoped objects). */
  namespace?: string;
}

/** How an event recorder reaches its cluster. */
export interface EventSink {
  collection: Collection<ObjectRecord>;
  /** Simulated now, ms since epoch. */
  nowMs(): number;
  /** A new record for a stored object. */
  newRecord(object: KObject, namespace: string): ObjectRecord;
}

const TTL_MS = 3_600_000;

/** Records Events into one cluster's `events` collection. */
export class EventRecorder {
  private readonly sink: EventSink;
  /** Correlation key → the event and when it last occurred. */
  private readonly byKey = new Map<string, { namespace: string; name: string; last: number }>();
  /** Occurrences in recording order, for expiry: [recorded at, key]. */
  private readonly order: [number, string][] = [];
  private counter = 0;

  constructor(sink: EventSink) {
    this.sink = sink;
  }

  /** Records one event (or counts a repeat of it). */
  record(input: EventInput): void {
    const now = this.sink.nowMs();
    this.expire(now);
    const at = new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const namespace = input.namespace ?? input.involved.namespace ?? 'default';
    const key = [
      namespace,
      input.involved.kind,
      input.involved.namespace ?? '',
      input.involved.name,
      input.reason,
      input.message,
      input.component,
      input.type ?? 'Normal',
    ].join('\u0000');
    const seen = this.byKey.get(key);
    const current = seen && this.sink.collection.get(seen.namespace, seen.name);
    if (current) {
      const object = current.object as KObject & { count?: number };
      this.sink.collection.update({
        ...current,
        object: { ...object, count: (object.count ?? 1) + 1, lastTimestamp: at },
      });
      seen.last = now;
      this.order.push([now, key]);
      return;
    }
    const name = `${input.involved.name}.${now.toString(16)}${(this.counter++).toString(16).padStart(4, '0')}`;
    const event: KObject = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace },
      involvedObject: { ...input.involved },
      reason: input.reason,
      message: input.message,
      source: { component: input.component, ...(input.host ? { host: input.host } : {}) },
      firstTimestamp: at,
      lastTimestamp: at,
      count: 1,
      type: input.type ?? 'Normal',
      eventTime: null,
      reportingComponent: input.component,
      reportingInstance: input.host ?? '',
    };
    this.sink.collection.create(this.sink.newRecord(event, namespace));
    this.byKey.set(key, { namespace, name, last: now });
    this.order.push([now, key]);
  }

  /** Drops events whose last occurrence is older than the TTL. */
  private expire(now: number): void {
    while (this.order.length > 0 && this.order[0]![0] + TTL_MS < now) {
      const [at, key] = this.order.shift()!;
      const seen = this.byKey.get(key);
      // A later repeat of the same event is further down the queue: the event lives until that one expires.
      if (!seen || seen.last > at) continue;
      this.byKey.delete(key);
      if (this.sink.collection.get(seen.namespace, seen.name))
        this.sink.collection.delete(seen.namespace, seen.name);
    }
  }
}
