/**
 * MCO's controllers on one simulated OpenShift cluster (reference/mco.md §1–§4, §9): the render, node and
 * drain controllers, a Machine Config Daemon per node and, where the release serves them,
 * MachineConfigNodes. They act only through the cluster's objects, as MCO acts through the API, so a
 * client sees what it would see on a real cluster (and what MCO does to what it writes).
 */
import type { SimClock } from '../clock.ts';
import type { SimCluster } from '../cluster.ts';
import type { FaultPlan } from '../faults.ts';
import type { Timeline } from '../timeline.ts';
import { type McdTiming, McoDaemons } from './daemon.ts';
import { DrainController } from './drain-controller.ts';
import { MachineConfigNodes } from './machine-config-nodes.ts';
import { NodeController } from './node-controller.ts';
import { RenderController } from './render-controller.ts';

export { mcoHooks } from './bootstrap.ts';
export { candidateMachines, maxUnavailableOf, sortNodeList } from './node-controller.ts';
export { calculatePoolStatus, isUpdatedToPool, poolCounts } from './pool-status.ts';
export { RenderFailure, renderFromCluster } from './render-controller.ts';

/** What MCO's controllers of a cluster need from the fleet. */
export interface McoOptions {
  clock: SimClock;
  timeline: Timeline;
  faults: FaultPlan;
  seed: number | string;
  /** The daemon's delays (the scenario's `timing`). */
  timing: McdTiming;
  /** Work-queue delays (the scenario's `mco.delays`). */
  delays: { render: number; node: number; drain: number };
}

/** The MCO of one cluster. */
export class McoControllers {
  readonly render: RenderController;
  readonly nodes: NodeController;
  readonly drain: DrainController;
  readonly daemons: McoDaemons;
  readonly machineConfigNodes: MachineConfigNodes | undefined;
  private readonly unsubscribe: (() => void)[] = [];

  constructor(cluster: SimCluster, options: McoOptions) {
    const { clock, timeline } = options;
    this.render = new RenderController(cluster, options.delays.render, clock);
    this.nodes = new NodeController(cluster, options.delays.node, clock, timeline);
    this.drain = new DrainController(cluster, options.delays.drain, clock);
    this.daemons = new McoDaemons(cluster, clock, timeline, options.faults, options.timing, options.seed);
    const mcns = cluster.release?.servesMachineConfigNode
      ? new MachineConfigNodes(cluster, (node) => this.daemons.phaseOf(node))
      : undefined;
    this.machineConfigNodes = mcns;
    if (mcns) {
      this.daemons.onPhase = (node) => mcns.refresh(node);
      this.unsubscribe.push(cluster.onNodeChange((before, after) => mcns.refresh((after ?? before)!.name)));
    }
    const targetOf = (object: Record<string, unknown> | undefined) =>
      (object?.spec as { configuration?: { name?: string } } | undefined)?.configuration?.name ?? '';
    const selectorOf = (object: Record<string, unknown> | undefined) =>
      JSON.stringify((object?.spec as { nodeSelector?: unknown } | undefined)?.nodeSelector ?? null);
    this.unsubscribe.push(
      cluster.machineConfigPools.subscribe((type, record, before) => {
        // Pool targets are the checker's measure of a legitimate change of a node's desiredConfig.
        const target = type === 'DELETED' ? '' : targetOf(record.object);
        if (type !== 'DELETED' && target !== targetOf(before?.object))
          timeline.record({
            cluster: cluster.name,
            pool: record.name,
            node: '',
            kind: 'pool-target',
            config: target,
            by: cluster.actor,
          });
        if (type !== 'MODIFIED' || selectorOf(record.object) !== selectorOf(before?.object))
          cluster.refreshPoolMembership();
      }),
    );
    for (const pool of cluster.machineConfigPools.list()) {
      const target = targetOf(pool.object);
      timeline.record({
        cluster: cluster.name,
        pool: pool.name,
        node: '',
        kind: 'pool-target',
        config: target,
      });
      this.nodes.syncStatus(pool.name);
    }
    if (mcns) for (const node of cluster.nodes.list()) mcns.refresh(node.name);
    this.daemons.start();
  }

  /** True while the node is down for its update reboot. */
  isRebooting(node: string): boolean {
    return this.daemons.isRebooting(node);
  }

  /** Errors the controllers' syncs raised (MCO's queues retry them), newest last. */
  errors(): { controller: string; key: string; message: string }[] {
    return [
      ...this.render.errors.map((e) => ({ controller: 'render', ...e })),
      ...this.nodes.errors.map((e) => ({ controller: 'node', ...e })),
      ...this.drain.errors.map((e) => ({ controller: 'drain', ...e })),
    ];
  }

  stop(): void {
    for (const u of this.unsubscribe) u();
    this.render.stop();
    this.nodes.stop();
    this.drain.stop();
    this.daemons.stop();
  }
}
