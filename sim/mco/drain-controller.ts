/**
 * MCO's drain controller (reference/mco.md §3): a node's `desiredDrain` = `drain-<config>` → cordon, then
 * evict every pod but DaemonSet ones through the Eviction API (a PodDisruptionBudget refusal, HTTP 429, is
 * retried every 5 s inside a 90 s drain attempt; a failed attempt is retried after 1 minute, after 5 minutes
 * with a `DrainThresholdExceeded` event once it has failed for 10 minutes; past an hour a `DrainFailed`
 * warning) → `lastAppliedDrain`; `uncordon-<config>` → uncordon → `lastAppliedDrain`.
 */
import { NodeAnnotations as A } from '../../functions/core/model.ts';
import type { SimClock, TimerHandle } from '../clock.ts';
import type { NodeRecord, SimCluster } from '../cluster.ts';
import { StatusError } from '../status.ts';
import { CONTROLLER_ACTOR, NODE_CONTROLLER } from './node-controller.ts';
import { WorkQueue } from './work-queue.ts';

const EVICT_RETRY_MS = 5000;
const DRAIN_ATTEMPT_MS = 90_000;
const REQUEUE_MS = 60_000;
const FAILING_THRESHOLD_MS = 10 * 60_000;
const FAILING_REQUEUE_MS = 5 * 60_000;
const DRAIN_TIMEOUT_MS = 3_600_000;

interface Attempt {
  /** The desiredDrain value this attempt serves. */
  request: string;
  started: number;
  timer: TimerHandle | undefined;
}

/** The drain controller of one cluster. */
export class DrainController {
  private readonly cluster: SimCluster;
  private readonly clock: SimClock;
  private readonly queue: WorkQueue;
  private readonly delay: number;
  private readonly unsubscribe: () => void;
  /** Drains under way (MCO keeps these in memory): node → when its cordon was made. */
  private readonly ongoing = new Map<string, number>();
  private readonly attempts = new Map<string, Attempt>();

  constructor(cluster: SimCluster, delayMs: number, clock: SimClock) {
    this.cluster = cluster;
    this.clock = clock;
    this.delay = delayMs;
    this.queue = new WorkQueue(clock, (node) => this.sync(node));
    this.unsubscribe = cluster.onNodeChange((before, after) => {
      if (!after) {
        this.forget(before!.name);
        return;
      }
      if (
        !before ||
        before.annotations[A.desiredDrain] !== after.annotations[A.desiredDrain] ||
        before.unschedulable !== after.unschedulable
      )
        this.queue.add(after.name, this.delay);
    });
  }

  get errors(): readonly { key: string; message: string }[] {
    return this.queue.errors;
  }

  /** Whether a drain of `node` is under way. */
  isDraining(node: string): boolean {
    return this.ongoing.has(node);
  }

  stop(): void {
    this.unsubscribe();
    this.queue.stop();
    for (const a of this.attempts.values()) if (a.timer) this.clock.cancel(a.timer);
    this.attempts.clear();
  }

  private forget(node: string): void {
    const attempt = this.attempts.get(node);
    if (attempt?.timer) this.clock.cancel(attempt.timer);
    this.attempts.delete(node);
    this.ongoing.delete(node);
  }

  private sync(name: string): void {
    const node = this.cluster.nodes.get(undefined, name);
    if (!node) return;
    const request = node.annotations[A.desiredDrain] ?? '';
    if (request === (node.annotations[A.lastAppliedDrain] ?? '')) return;
    const verb = request.split('-')[0];
    if (verb === 'uncordon') {
      this.cluster.asActor(CONTROLLER_ACTOR, () => {
        if (node.unschedulable)
          this.cluster.updateNode(name, (next) => {
            next.unschedulable = false;
          });
        this.cluster.setNodeAnnotations(name, { [A.lastAppliedDrain]: request });
      });
      return;
    }
    if (verb !== 'drain') throw new Error(`node ${name}: non-recognized drain verb detected ${verb}`);
    if (this.attempts.has(name)) return; // an attempt is running; it re-reads the node when it ends
    this.startDrain(node, request);
  }

  private startDrain(node: NodeRecord, request: string): void {
    const now = this.clock.now();
    const since = this.ongoing.get(node.name);
    if (since !== undefined && now - since > DRAIN_TIMEOUT_MS)
      this.event(
        node,
        'Warning',
        'DrainFailed',
        `node ${node.name}: drain exceeded timeout: 1h0m0s. Will continue to retry.`,
      );
    if (since === undefined || !node.unschedulable) {
      this.cluster.asActor(CONTROLLER_ACTOR, () => {
        if (!node.unschedulable)
          this.cluster.updateNode(node.name, (next) => {
            next.unschedulable = true;
          });
      });
      if (since === undefined) this.ongoing.set(node.name, now);
    }
    const attempt: Attempt = { request, started: now, timer: undefined };
    this.attempts.set(node.name, attempt);
    this.step(node.name, attempt);
  }

  /** One pass of the drain helper: evict what is left; retry refusals every 5 s up to 90 s. */
  private step(name: string, attempt: Attempt): void {
    attempt.timer = undefined;
    let refused = 0;
    this.cluster.asActor(CONTROLLER_ACTOR, () => {
      for (const pod of this.cluster.evictablePods(name)) {
        try {
          this.cluster.evictPod(pod.namespace!, pod.name, false);
        } catch (error) {
          if (error instanceof StatusError && error.code === 404) continue;
          if (error instanceof StatusError && error.code === 429) {
            refused++;
            continue;
          }
          throw error;
        }
      }
    });
    if (refused === 0 && this.cluster.evictablePods(name).length === 0) {
      this.succeeded(name, attempt);
      return;
    }
    const now = this.clock.now();
    if (now + EVICT_RETRY_MS - attempt.started > DRAIN_ATTEMPT_MS) {
      this.failed(name);
      return;
    }
    attempt.timer = this.clock.schedule(EVICT_RETRY_MS, () => this.step(name, attempt));
  }

  private succeeded(name: string, attempt: Attempt): void {
    this.attempts.delete(name);
    this.ongoing.delete(name);
    const node = this.cluster.nodes.get(undefined, name);
    // Changes during the attempt were not synced (one sync per key at a time): look again.
    this.queue.add(name, 0);
    // Uncordoned from outside during the drain: do not report it done; the next sync cordons again.
    if (!node?.unschedulable) return;
    this.cluster.asActor(CONTROLLER_ACTOR, () =>
      this.cluster.setNodeAnnotations(name, { [A.lastAppliedDrain]: attempt.request }),
    );
  }

  private failed(name: string): void {
    this.attempts.delete(name);
    const node = this.cluster.nodes.get(undefined, name);
    if (!node) return;
    const failingFor = this.clock.now() - (this.ongoing.get(name) ?? this.clock.now());
    if (failingFor > FAILING_THRESHOLD_MS) {
      this.event(
        node,
        'Warning',
        'DrainThresholdExceeded',
        `Drain failed. Drain has been failing for more than 10 minutes. Waiting 5 minutes then retrying. Error message from drain: error when evicting pods: global timeout reached: 1m30s`,
      );
      this.queue.add(name, FAILING_REQUEUE_MS);
    } else {
      this.queue.add(name, REQUEUE_MS);
    }
  }

  private event(node: NodeRecord, type: 'Normal' | 'Warning', reason: string, message: string): void {
    this.cluster.recordEvent({
      involved: { kind: 'Node', name: node.name, uid: node.uid, apiVersion: 'v1' },
      reason,
      message,
      type,
      component: NODE_CONTROLLER,
    });
  }
}
