/**
 * The node daemons of one cluster (reference mco.md §4, image-mode hosts): when a node's desiredConfig or
 * desiredImage differs from its current ones, the daemon sets state=Working, rebases (a delay), reboots
 * (Ready=False for a delay, then Ready) and reports currentConfig/currentImage with state=Done. Injected
 * faults end in Degraded or Unreconcilable with a reason. Draining is the control plane's job: a node told
 * to update while schedulable or still running evictable pods is recorded as a protocol violation.
 *
 * One manager per cluster keeps state only for nodes with an update in flight (small at 10,000 nodes).
 */
import { NodeAnnotations as A } from '../functions/core/model.ts';
import type { SimClock, TimerHandle } from './clock.ts';
import type { NodeRecord, SimCluster } from './cluster.ts';
import type { FaultPlan } from './faults.ts';
import type { Prng } from './prng.ts';
import { derivePrng } from './prng.ts';
import type { Timeline } from './timeline.ts';

/** Delays of one update, in simulated ms. */
export interface DaemonTiming {
  react: number;
  rebase: number;
  reboot: number;
  jitter: number;
}

interface Target {
  config: string;
  image: string;
}

interface InFlight {
  target: Target;
  timer: TimerHandle | undefined;
  rebooting: boolean;
}

const targetOf = (node: NodeRecord): Target => ({
  config: node.annotations[A.desiredConfig] ?? '',
  image: node.annotations[A.desiredImage] ?? '',
});
const sameTarget = (a: Target, b: Target) => a.config === b.config && a.image === b.image;

export class NodeDaemons {
  private readonly cluster: SimCluster;
  private readonly clock: SimClock;
  private readonly timeline: Timeline;
  private readonly faults: FaultPlan;
  private readonly timing: DaemonTiming;
  private readonly seed: number | string;
  private readonly inFlight = new Map<string, InFlight>();
  /** Target a node last failed on: not retried until the desired annotations change. */
  private readonly failedOn = new Map<string, Target>();
  private readonly attempts = new Map<string, number>();
  private readonly unsubscribe: () => void;

  constructor(
    cluster: SimCluster,
    clock: SimClock,
    timeline: Timeline,
    faults: FaultPlan,
    timing: DaemonTiming,
    seed: number | string,
  ) {
    this.cluster = cluster;
    this.clock = clock;
    this.timeline = timeline;
    this.faults = faults;
    this.timing = timing;
    this.seed = seed;
    this.unsubscribe = cluster.onNodeChange((before, after) => this.onChange(before, after));
  }

  /** True while the node is down for its update reboot. */
  isRebooting(node: string): boolean {
    return this.inFlight.get(node)?.rebooting ?? false;
  }

  stop(): void {
    this.unsubscribe();
    for (const flight of this.inFlight.values()) if (flight.timer) this.clock.cancel(flight.timer);
    this.inFlight.clear();
  }

  private record(node: NodeRecord, kind: Parameters<Timeline['record']>[0]['kind'], detail?: string): void {
    this.timeline.record({ cluster: this.cluster.name, pool: node.pool, node: node.name, kind, detail });
  }

  private onChange(before: NodeRecord | undefined, after: NodeRecord | undefined): void {
    if (!after) {
      const flight = before && this.inFlight.get(before.name);
      if (flight?.timer) this.clock.cancel(flight.timer);
      if (before) this.inFlight.delete(before.name);
      return;
    }
    if (before && !sameTarget(targetOf(before), targetOf(after))) this.desiredChanged(after);
    this.sync(after);
  }

  /** A client set new desired annotations: record it, and check the node was drained first. */
  private desiredChanged(node: NodeRecord): void {
    const target = targetOf(node);
    this.failedOn.delete(node.name);
    this.record(node, 'desired', target.image ? `${target.config} ${target.image}` : target.config);
    if (!this.needsUpdate(node)) return;
    if (!node.unschedulable)
      this.record(node, 'violation', 'update requested while the node is schedulable (not cordoned)');
    const pods = this.cluster.evictablePods(node.name);
    if (pods.length > 0)
      this.record(
        node,
        'violation',
        `update requested while ${pods.length} evictable pod(s) still run on the node (not drained): ${pods.map((p) => `${p.namespace}/${p.name}`).join(', ')}`,
      );
  }

  private needsUpdate(node: NodeRecord): boolean {
    const a = node.annotations;
    return (
      (a[A.desiredConfig] ?? '') !== (a[A.currentConfig] ?? '') ||
      (a[A.desiredImage] ?? '') !== (a[A.currentImage] ?? '')
    );
  }

  /** The daemon's sync loop for one node, on every change of it. */
  private sync(node: NodeRecord): void {
    if (this.inFlight.has(node.name)) return; // the running update re-syncs when it ends
    const target = targetOf(node);
    const state = node.annotations[A.state];
    if (!this.needsUpdate(node)) {
      // Back on its current config (e.g. a rollback of a failed node): report Done, no reboot.
      if (state !== 'Done' && state !== undefined && !this.failedOn.has(node.name)) this.settle(node.name);
      return;
    }
    const failed = this.failedOn.get(node.name);
    if (failed && sameTarget(failed, target)) return;
    this.start(node.name, target);
  }

  private settle(name: string): void {
    const flight: InFlight = { target: { config: '', image: '' }, timer: undefined, rebooting: false };
    this.inFlight.set(name, flight);
    flight.timer = this.clock.schedule(this.timing.react, () => {
      this.inFlight.delete(name);
      const node = this.cluster.setNodeAnnotations(name, { [A.state]: 'Done', [A.reason]: '' });
      if (node) this.record(node, 'done', node.annotations[A.currentConfig]);
    });
  }

  private start(name: string, target: Target): void {
    const attempt = (this.attempts.get(name) ?? 0) + 1;
    this.attempts.set(name, attempt);
    const faults = this.faults.updateFaults(this.cluster.name, name, attempt);
    const prng = derivePrng(this.seed, this.cluster.name, name, 'timing', String(attempt));
    const flight: InFlight = { target, timer: undefined, rebooting: false };
    this.inFlight.set(name, flight);
    const step = (delay: number, fn: () => void) => {
      flight.timer = this.clock.schedule(delay, fn);
    };
    const finish = () => {
      this.inFlight.delete(name);
      const node = this.cluster.nodes.get(undefined, name);
      if (node) this.sync(node);
    };

    step(this.timing.react, () => {
      const node = this.cluster.setNodeAnnotations(name, { [A.state]: 'Working' });
      if (!node) return finish();
      this.record(node, 'working', target.config);
      const current = node.annotations[A.currentConfig] ?? '';
      if (faults.unreconcilable) {
        const reason = `can't reconcile config ${current} with ${target.config}: ignition disks section contains changes`;
        this.fail(name, target, 'Unreconcilable', reason);
        return finish();
      }
      step(this.jittered(this.timing.rebase, prng), () => {
        if (faults.updateFailure) {
          const reason = `failed to update OS to ${target.image || target.config}: error running rpm-ostree rebase --experimental ostree-unverified-registry:${target.image}: exit status 1`;
          this.fail(name, target, 'Degraded', reason);
          return finish();
        }
        const down = this.cluster.setNodeReady(name, false);
        if (!down) return finish();
        flight.rebooting = true;
        this.record(down, 'reboot', target.image || target.config);
        step(this.jittered(this.timing.reboot, prng), () => {
          flight.rebooting = false;
          const up = this.cluster.setNodeReady(name, true);
          if (!up) return finish();
          this.record(up, 'ready');
          const oldImage = up.annotations[A.currentImage] ?? '';
          if (faults.imageNoBoot) {
            const reason = `unexpected on-disk state validating against ${target.config}: expected target osImageURL "${target.image}", have "${oldImage}"`;
            this.fail(name, target, 'Degraded', reason);
            return finish();
          }
          const done = this.cluster.setNodeAnnotations(name, {
            [A.currentConfig]: target.config,
            [A.currentImage]: target.image || null,
            ...(target.image ? {} : { [A.desiredImage]: null }),
            [A.state]: 'Done',
            [A.reason]: '',
          });
          if (done)
            this.record(done, 'done', target.image ? `${target.config} ${target.image}` : target.config);
          finish();
        });
      });
    });
  }

  private fail(name: string, target: Target, state: 'Degraded' | 'Unreconcilable', reason: string): void {
    this.failedOn.set(name, target);
    const node = this.cluster.setNodeAnnotations(name, { [A.state]: state, [A.reason]: reason });
    if (node) this.record(node, state === 'Degraded' ? 'degraded' : 'unreconcilable', reason);
  }

  private jittered(ms: number, prng: Prng): number {
    return Math.round(ms * (1 + this.timing.jitter * prng.next()));
  }
}
