/**
 * The Machine Config Daemon of every node of a cluster running MCO's controllers (reference/mco.md §3.1,
 * §4). When a node's `desiredConfig` (or `desiredImage`) differs from what is on its disk: state Working;
 * the reconcilability check; a drain requested through `desiredDrain` = `drain-<config>` and awaited
 * (`lastAppliedDrain`, up to an hour); the rendered config applied (the OS image is the rendered config's
 * `osImageURL`, or `desiredImage` on a layered node); a reboot (NotReady meanwhile); the uncordon requested
 * (`uncordon-<config>`) and awaited; then `currentConfig`, state Done. A node that finishes while its
 * target moved on goes straight to the next update (every round is a drain and a reboot).
 *
 * Failures are MCO's: Unreconcilable (before the drain), Degraded with MCO's reason (an update that fails
 * is retried with backoff, the node staying Degraded and cordoned; an image that does not boot leaves the
 * node Degraded on its old image until its target changes). On 4.16/4.17 a node that has a `currentImage`
 * goes Degraded when told to go back to a non-layered config (§9.1).
 */
import { NodeAnnotations as A } from '../../functions/core/model.ts';
import { type ConfigLike, reconcilable } from '../../functions/core/render/index.ts';
import type { SimClock, TimerHandle } from '../clock.ts';
import type { NodeRecord, SimCluster } from '../cluster.ts';
import type { FaultPlan, UpdateFaults } from '../faults.ts';
import { derivePrng, type Prng } from '../prng.ts';
import type { Timeline, TimelineKind } from '../timeline.ts';

export const DAEMON = 'machineconfigdaemon';
const DRAIN_WAIT_MS = 3_600_000;
const UNCORDON_WAIT_MS = 10 * 60_000;
const MAX_RETRY_MS = 5 * 60_000;

/** Delays of one update, in simulated ms. */
export interface McdTiming {
  react: number;
  rebase: number;
  reboot: number;
  jitter: number;
}

/** Where a node's daemon is in its update (MachineConfigNode conditions follow it). */
export type McdPhase =
  | 'idle'
  | 'preparing'
  | 'draining'
  | 'applying'
  | 'rebooting'
  | 'uncordoning'
  | 'failed';

/** What is on a node's disk: the rendered config it last applied and its layered image ('' if none). */
interface OnDisk {
  config: string;
  image: string;
}

interface Work {
  phase: McdPhase;
  to: OnDisk;
  timer: TimerHandle | undefined;
  faults: UpdateFaults;
  prng: Prng;
}

export class McoDaemons {
  private readonly cluster: SimCluster;
  private readonly clock: SimClock;
  private readonly timeline: Timeline;
  private readonly faults: FaultPlan;
  private readonly timing: McdTiming;
  private readonly seed: number | string;
  private readonly onDisk = new Map<string, OnDisk>();
  private readonly work = new Map<string, Work>();
  /** Failed updates: the target, whether the daemon retries it, the retry timer. */
  private readonly failed = new Map<
    string,
    { key: string; retry: boolean; timer: TimerHandle | undefined; n: number }
  >();
  private readonly attempts = new Map<string, number>();
  private readonly unsubscribe: () => void;
  /** Called whenever a node's phase changes. */
  onPhase: ((node: string) => void) | undefined;

  constructor(
    cluster: SimCluster,
    clock: SimClock,
    timeline: Timeline,
    faults: FaultPlan,
    timing: McdTiming,
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
    return this.work.get(node)?.phase === 'rebooting';
  }

  /** The node's update phase. */
  phaseOf(node: string): McdPhase {
    return this.work.get(node)?.phase ?? (this.failed.has(node) ? 'failed' : 'idle');
  }

  stop(): void {
    this.unsubscribe();
    for (const w of this.work.values()) if (w.timer) this.clock.cancel(w.timer);
    for (const f of this.failed.values()) if (f.timer) this.clock.cancel(f.timer);
    this.work.clear();
    this.failed.clear();
  }

  /** Starts every daemon: nodes already off their target begin updating. */
  start(): void {
    for (const node of this.cluster.nodes.list()) this.sync(node);
  }

  private disk(node: NodeRecord): OnDisk {
    let disk = this.onDisk.get(node.name);
    if (!disk) {
      disk = {
        config: node.annotations[A.currentConfig] ?? '',
        image: node.annotations[A.currentImage] ?? '',
      };
      this.onDisk.set(node.name, disk);
    }
    return disk;
  }

  private record(node: NodeRecord, kind: TimelineKind, detail?: string): void {
    this.timeline.record({ cluster: this.cluster.name, pool: node.pool, node: node.name, kind, detail });
  }

  private event(
    node: NodeRecord,
    reason: string,
    message: string,
    type: 'Normal' | 'Warning' = 'Normal',
  ): void {
    this.cluster.recordEvent({
      involved: { kind: 'Node', name: node.name, uid: node.uid, apiVersion: 'v1' },
      reason,
      message,
      type,
      component: DAEMON,
      host: node.name,
    });
  }

  private setPhase(name: string, work: Work, phase: McdPhase): void {
    work.phase = phase;
    this.onPhase?.(name);
  }

  private write(name: string, changes: Record<string, string | null>): NodeRecord | undefined {
    return this.cluster.asActor(DAEMON, () => this.cluster.setNodeAnnotations(name, changes));
  }

  private onChange(before: NodeRecord | undefined, after: NodeRecord | undefined): void {
    if (!after) {
      const name = before!.name;
      const work = this.work.get(name);
      if (work?.timer) this.clock.cancel(work.timer);
      const failed = this.failed.get(name);
      if (failed?.timer) this.clock.cancel(failed.timer);
      this.work.delete(name);
      this.failed.delete(name);
      this.onDisk.delete(name);
      return;
    }
    const work = this.work.get(after.name);
    if (work) {
      // A wait ends when the drain controller reports the request done.
      const a = after.annotations;
      const done = a[A.lastAppliedDrain];
      if (work.phase === 'draining' && done === `drain-${work.to.config}` && a[A.desiredDrain] === done)
        this.apply(after.name, work);
      else if (
        work.phase === 'uncordoning' &&
        done === `uncordon-${work.to.config}` &&
        a[A.desiredDrain] === done
      )
        this.setDone(after.name, work);
      return;
    }
    this.sync(after);
  }

  /** The daemon's sync of one node (`syncNode` / `prepUpdateFromCluster`). */
  private sync(node: NodeRecord): void {
    if (this.work.has(node.name)) return;
    const a = node.annotations;
    // A drain asked for earlier has not completed: wait for it.
    if ((a[A.desiredDrain] ?? '') !== '' && a[A.desiredDrain] !== a[A.lastAppliedDrain]) return;
    const disk = this.disk(node);
    const to: OnDisk = { config: a[A.desiredConfig] ?? '', image: a[A.desiredImage] ?? '' };
    if (!to.config) return;
    const same = to.config === disk.config && to.image === disk.image;
    if (same && a[A.state] === 'Done' && a[A.currentConfig] === disk.config) {
      this.clearFailure(node.name);
      return;
    }
    const key = `${to.config} ${to.image}`;
    const failed = this.failed.get(node.name);
    if (failed?.key === key) return; // not retried (or a retry is scheduled) until the target changes
    this.clearFailure(node.name);
    this.begin(node.name, to);
  }

  private clearFailure(name: string): void {
    const failed = this.failed.get(name);
    if (failed?.timer) this.clock.cancel(failed.timer);
    this.failed.delete(name);
  }

  private begin(name: string, to: OnDisk): void {
    const attempt = (this.attempts.get(name) ?? 0) + 1;
    this.attempts.set(name, attempt);
    const work: Work = {
      phase: 'preparing',
      to,
      timer: undefined,
      faults: this.faults.updateFaults(this.cluster.name, name, attempt),
      prng: derivePrng(this.seed, this.cluster.name, name, 'timing', String(attempt)),
    };
    this.work.set(name, work);
    this.onPhase?.(name);
    work.timer = this.clock.schedule(this.timing.react, () => this.prepare(name, work));
  }

  private end(name: string): void {
    const work = this.work.get(name);
    if (work?.timer) this.clock.cancel(work.timer);
    this.work.delete(name);
    this.onPhase?.(name);
    const node = this.cluster.nodes.get(undefined, name);
    if (node) this.sync(node);
  }

  /** `update()` up to the drain: state, reconcilability, what changes. */
  private prepare(name: string, work: Work): void {
    work.timer = undefined;
    let node = this.cluster.nodes.get(undefined, name);
    if (!node) {
      this.end(name);
      return;
    }
    const disk = this.disk(node);
    // The daemon reads the node when it gets to it: the latest target counts.
    work.to = {
      config: node.annotations[A.desiredConfig] ?? '',
      image: node.annotations[A.desiredImage] ?? '',
    };
    const state = node.annotations[A.state];
    if (
      work.to.config === disk.config &&
      work.to.image === disk.image &&
      state === 'Done' &&
      node.annotations[A.currentConfig] === disk.config
    ) {
      this.end(name);
      return;
    }
    if (state !== 'Degraded' && state !== 'Unreconcilable') {
      node = this.write(name, { [A.state]: 'Working' }) ?? node;
      this.record(node, 'working', work.to.config);
    }
    const release = this.cluster.release;
    // 4.16/4.17: once the disk holds a layered image, going back to a non-layered config is refused.
    if (release?.refusesLayeredRollback && disk.image !== '' && !work.to.image) {
      this.fail(
        name,
        'Degraded',
        'rolling back from a layered to non-layered configuration is not currently supported',
        false,
      );
      return;
    }
    const next = this.cluster.machineConfigs.get(undefined, work.to.config)?.object as ConfigLike | undefined;
    if (!next) {
      this.fail(
        name,
        'Degraded',
        `machineconfig.machineconfiguration.openshift.io "${work.to.config}" not found`,
        true,
      );
      return;
    }
    const current = this.cluster.machineConfigs.get(undefined, disk.config)?.object as ConfigLike | undefined;
    const check = current ? reconcilable(current, next) : { ok: true as const };
    if (work.faults.unreconcilable || !check.ok) {
      const reason = check.ok ? 'ignition disks section contains changes' : check.error.message;
      this.fail(
        name,
        'Unreconcilable',
        `can't reconcile config ${disk.config} with ${work.to.config}: ${reason}`,
        false,
      );
      return;
    }
    const sameContent =
      disk.image === work.to.image &&
      current !== undefined &&
      JSON.stringify(current.spec) === JSON.stringify(next.spec);
    if (sameContent) {
      // Nothing to write or reboot for: finish as a rebootless update.
      this.onDisk.set(name, { ...work.to });
      this.completeUpdate(name, work);
      return;
    }
    const drain = `drain-${work.to.config}`;
    if (node.annotations[A.lastAppliedDrain] === drain) {
      this.apply(name, work);
      return;
    }
    this.event(node, 'Cordon', 'Cordoned node to apply update');
    this.event(node, 'Drain', 'Draining node to update config.');
    this.setPhase(name, work, 'draining');
    work.timer = this.clock.schedule(DRAIN_WAIT_MS, () => {
      const n = this.cluster.nodes.get(undefined, name);
      if (n)
        this.event(
          n,
          'FailedToDrain',
          `failed to drain node: ${name} after 1 hour. Please see machine-config-controller logs for more information`,
          'Warning',
        );
      // Degraded, retried when the drain finally completes (its annotation change re-syncs the node).
      this.markDegraded(
        name,
        `failed to drain node: ${name} after 1 hour. Please see machine-config-controller logs for more information`,
      );
      this.work.delete(name);
      this.onPhase?.(name);
    });
    this.write(name, { [A.desiredDrain]: drain });
  }

  /** Writes the update and reboots into it. */
  private apply(name: string, work: Work): void {
    if (work.timer) this.clock.cancel(work.timer);
    this.setPhase(name, work, 'applying');
    work.timer = this.clock.schedule(this.jittered(this.timing.rebase, work.prng), () => {
      work.timer = undefined;
      const node = this.cluster.nodes.get(undefined, name);
      if (!node) {
        this.end(name);
        return;
      }
      const image = this.imageOf(work.to);
      if (work.faults.updateFailure) {
        this.fail(
          name,
          'Degraded',
          `failed to update OS to ${image}: error running rpm-ostree rebase --experimental ostree-unverified-registry:${image}: exit status 1`,
          true,
        );
        return;
      }
      const pods = this.cluster.evictablePods(name);
      if (!node.unschedulable || pods.length > 0)
        this.record(
          node,
          'violation',
          !node.unschedulable
            ? 'rebooting into a new config while the node is schedulable (not cordoned)'
            : `rebooting into a new config while ${pods.length} evictable pod(s) still run on the node (not drained): ${pods.map((p) => `${p.namespace}/${p.name}`).join(', ')}`,
        );
      this.onDisk.set(name, { ...work.to });
      this.event(node, 'Reboot', `Node will reboot into config ${work.to.config}`);
      const down = this.cluster.setNodeReady(name, false);
      if (!down) {
        this.end(name);
        return;
      }
      this.setPhase(name, work, 'rebooting');
      this.record(down, 'reboot', image);
      work.timer = this.clock.schedule(this.jittered(this.timing.reboot, work.prng), () => {
        work.timer = undefined;
        const up = this.cluster.setNodeReady(name, true);
        if (!up) {
          this.end(name);
          return;
        }
        this.record(up, 'ready');
        if (work.faults.imageNoBoot) {
          const booted = up.bootedImage;
          this.fail(
            name,
            'Degraded',
            `unexpected on-disk state validating against ${work.to.config}: expected target osImageURL "${image}", have "${booted}"`,
            false,
          );
          return;
        }
        this.cluster.updateNode(name, (next) => {
          next.bootedImage = image;
        });
        const now = this.cluster.nodes.get(undefined, name)!;
        const desired = {
          config: now.annotations[A.desiredConfig] ?? '',
          image: now.annotations[A.desiredImage] ?? '',
        };
        // The target moved while this update ran: on to the next one (BootResync), still cordoned.
        if (desired.config !== work.to.config || desired.image !== work.to.image) {
          this.end(name);
          return;
        }
        this.completeUpdate(name, work);
      });
    });
  }

  /** The OS image a target boots: its layered image, or the rendered config's osImageURL. */
  private imageOf(to: OnDisk): string {
    if (to.image) return to.image;
    const mc = this.cluster.machineConfigs.get(undefined, to.config)?.object;
    return String((mc?.spec as { osImageURL?: string } | undefined)?.osImageURL ?? '');
  }

  /** `completeUpdate`: asks for the uncordon and waits for it (up to 10 minutes). */
  private completeUpdate(name: string, work: Work): void {
    const node = this.cluster.nodes.get(undefined, name);
    if (!node) {
      this.end(name);
      return;
    }
    const uncordon = `uncordon-${work.to.config}`;
    if (
      node.annotations[A.desiredDrain] === uncordon &&
      node.annotations[A.lastAppliedDrain] === uncordon &&
      !node.unschedulable
    ) {
      this.setDone(name, work);
      return;
    }
    this.setPhase(name, work, 'uncordoning');
    work.timer = this.clock.schedule(UNCORDON_WAIT_MS, () => {
      this.markDegraded(
        name,
        `failed to uncordon node: ${name} after 10 minutes. Please see machine-config-controller logs for more information`,
      );
      this.work.delete(name);
      this.onPhase?.(name);
    });
    this.write(name, { [A.desiredDrain]: uncordon });
  }

  /** `SetDone`: currentConfig (and currentImage) from the disk, state Done. */
  private setDone(name: string, work: Work): void {
    if (work.timer) this.clock.cancel(work.timer);
    // The update is over before the write (whose change event must not find it running).
    this.work.delete(name);
    const node = this.cluster.nodes.get(undefined, name);
    if (node) {
      const disk = this.disk(node);
      this.failed.delete(name);
      const done = this.write(name, {
        [A.currentConfig]: disk.config,
        [A.state]: 'Done',
        [A.reason]: '',
        [A.currentImage]: disk.image || null,
        ...(node.annotations[A.desiredImage] === '' ? { [A.desiredImage]: null } : {}),
      });
      if (done) {
        this.event(done, 'NodeDone', `Setting node ${name}, currentConfig ${disk.config} to Done`);
        this.record(done, 'done', disk.image ? `${disk.config} ${disk.image}` : disk.config);
      }
    }
    this.end(name);
  }

  private markDegraded(name: string, reason: string): void {
    const node = this.cluster.nodes.get(undefined, name);
    if (!node) return;
    if (node.annotations[A.state] === 'Degraded' && node.annotations[A.reason] === reason) return;
    const written = this.write(name, { [A.state]: 'Degraded', [A.reason]: reason });
    if (written) this.record(written, 'degraded', reason);
  }

  /**
   * An update failed: the state and reason MCO reports. `retry`: the daemon tries again with backoff (the
   * node stays in that state meanwhile); otherwise it waits until the target changes.
   */
  private fail(name: string, state: 'Degraded' | 'Unreconcilable', reason: string, retry: boolean): void {
    const work = this.work.get(name);
    if (work?.timer) this.clock.cancel(work.timer);
    this.work.delete(name);
    const node = this.cluster.nodes.get(undefined, name);
    if (!node) return;
    if (node.annotations[A.state] !== state || node.annotations[A.reason] !== reason) {
      const written = this.write(name, { [A.state]: state, [A.reason]: reason });
      if (written) this.record(written, state === 'Degraded' ? 'degraded' : 'unreconcilable', reason);
    }
    const to = work?.to ?? {
      config: node.annotations[A.desiredConfig] ?? '',
      image: node.annotations[A.desiredImage] ?? '',
    };
    const key = `${to.config} ${to.image}`;
    const n = (this.failed.get(name)?.key === key ? this.failed.get(name)!.n : 0) + 1;
    const entry = { key, retry, timer: undefined as TimerHandle | undefined, n };
    this.failed.set(name, entry);
    if (retry)
      entry.timer = this.clock.schedule(Math.min(MAX_RETRY_MS, this.timing.react * 2 ** n), () => {
        entry.timer = undefined;
        if (this.failed.get(name) !== entry) return;
        const current = this.cluster.nodes.get(undefined, name);
        const stillTarget =
          current &&
          `${current.annotations[A.desiredConfig] ?? ''} ${current.annotations[A.desiredImage] ?? ''}` ===
            key;
        if (!current || !stillTarget || this.work.has(name)) return;
        this.begin(name, to);
      });
    this.onPhase?.(name);
  }

  private jittered(ms: number, prng: Prng): number {
    return Math.round(ms * (1 + this.timing.jitter * prng.next()));
  }
}
