/**
 * The timeline: every node transition in the fleet, in order, with its simulated time. Written to JSONL
 * as it happens (when a file is given) and kept in memory for the invariant checker.
 */
import { appendFileSync, writeFileSync } from 'node:fs';

/** What happened to a node. */
export type TimelineKind =
  | 'added'
  | 'removed'
  | 'cordon'
  | 'uncordon'
  | 'eviction'
  | 'eviction-blocked'
  | 'desired'
  | 'working'
  | 'reboot'
  | 'ready'
  | 'not-ready'
  | 'done'
  | 'degraded'
  | 'unreconcilable'
  | 'violation'
  // Strata agent nodes: `strata.io/desired-image` written (`image`, `by`).
  | 'desired-image'
  // Clusters running MCO's controllers (the invariant checker's input):
  | 'node-state'
  | 'moved'
  | 'pool-target'
  | 'pool-status';

/** What MCO's predicates read from a node, after a write ('node-state' events). */
export interface NodeStateSnapshot {
  currentConfig: string;
  desiredConfig: string;
  currentImage?: string;
  desiredImage?: string;
  /** The daemon's `state` annotation. */
  mcd: string;
  ready: boolean;
  unschedulable: boolean;
}

/** A MachineConfigPool status as the node controller wrote it ('pool-status' events). */
export interface PoolStatusSnapshot {
  /** `spec.configuration.name` when written. */
  target: string;
  /** `status.configuration.name`. */
  config: string;
  machineCount: number;
  updatedMachineCount: number;
  readyMachineCount: number;
  unavailableMachineCount: number;
  degradedMachineCount: number;
  /** The Updated condition. */
  updated: boolean;
  paused: boolean;
  /** `spec.maxUnavailable` resolved against the pool's nodes. */
  maxUnavailable: number;
}

/** One node transition. */
export interface TimelineEvent {
  /** Position in the fleet's timeline (0, 1, 2…). */
  seq: number;
  /** Simulated milliseconds since the fleet started. */
  t: number;
  cluster: string;
  /** The node's pool ('' if it belongs to none). */
  pool: string;
  node: string;
  kind: TimelineKind;
  /** E.g. the desired config, the Degraded reason, the evicted pod, the violated rule. */
  detail?: string;
  /** True when the simulator caused it on its own (a fault), not a client of the API. */
  fault?: boolean;
  /**
   * Who wrote it: an API user (`admin`), an MCO controller, `simulator` (clusters with MCO's controllers;
   * 'desired-image' events).
   */
  by?: string;
  /** 'desired': the desiredConfig written; 'pool-target': the pool's new `spec.configuration.name`. */
  config?: string;
  /** 'desired': the desiredImage written (absent: none); 'desired-image': the value written ('' removed). */
  image?: string;
  /** 'node-state': the node's MCO state after the write. */
  state?: NodeStateSnapshot;
  /** 'pool-status': the status written. */
  status?: PoolStatusSnapshot;
}

export class Timeline {
  readonly events: TimelineEvent[] = [];
  private readonly file: string | undefined;
  private readonly now: () => number;
  private readonly listeners = new Set<(event: TimelineEvent) => void>();

  /** `now` gives simulated time; with `file`, events are appended to it as JSON lines. */
  constructor(now: () => number, file?: string) {
    this.now = now;
    this.file = file;
    if (file) writeFileSync(file, '');
  }

  record(event: Omit<TimelineEvent, 'seq' | 't'>): TimelineEvent {
    const full: TimelineEvent = { seq: this.events.length, t: this.now(), ...event };
    if (full.detail === undefined) delete full.detail;
    if (full.by === undefined) delete full.by;
    this.events.push(full);
    if (this.file) appendFileSync(this.file, `${JSON.stringify(full)}\n`);
    for (const listener of this.listeners) listener(full);
    return full;
  }

  /** Calls `listener` for every later event; returns an unsubscribe function. */
  subscribe(listener: (event: TimelineEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The whole timeline as JSONL. */
  toJsonl(): string {
    return this.events.map((e) => `${JSON.stringify(e)}\n`).join('');
  }

  writeJsonl(file: string): void {
    writeFileSync(file, this.toJsonl());
  }
}
