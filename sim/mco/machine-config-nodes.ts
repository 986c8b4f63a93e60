/**
 * MachineConfigNode objects (machineconfiguration.openshift.io/v1, stable in 4.20; reference/mco.md §9.2),
 * one per node of a cluster whose release serves them: the node's pool, desired and current config, and
 * the update-phase conditions, following the node's annotations and its daemon's phase. Written only when
 * what they show changes.
 */
import { NodeAnnotations as A } from '../../functions/core/model.ts';
import type { NodeRecord, SimCluster } from '../cluster.ts';
import type { KObject } from '../store.ts';
import type { McdPhase } from './daemon.ts';

type Tri = 'True' | 'False' | 'Unknown';

/** Condition statuses per daemon phase (UpdatePrepared, UpdateExecuted, Drained, RebootedNode, UpdateComplete). */
const phaseConditions: Record<McdPhase, [Tri, Tri, Tri, Tri, Tri]> = {
  idle: ['False', 'False', 'False', 'False', 'False'],
  preparing: ['Unknown', 'False', 'False', 'False', 'False'],
  draining: ['True', 'Unknown', 'Unknown', 'False', 'False'],
  applying: ['True', 'Unknown', 'True', 'False', 'False'],
  rebooting: ['True', 'True', 'True', 'Unknown', 'False'],
  uncordoning: ['True', 'True', 'True', 'True', 'Unknown'],
  failed: ['False', 'False', 'False', 'False', 'False'],
};

/** The MachineConfigNode of a node, without server-owned metadata. */
export function machineConfigNodeOf(node: NodeRecord, phase: McdPhase, at: string): KObject {
  const a = node.annotations;
  const desired = a[A.desiredConfig] ?? '';
  const current = a[A.currentConfig] ?? '';
  const state = a[A.state] ?? '';
  const degraded = state === 'Degraded' || state === 'Unreconcilable';
  const updated = current === desired && state === 'Done';
  const [prepared, executed, drained, rebooted, complete] = phaseConditions[phase];
  const condition = (type: string, status: Tri, message: string) => ({
    type,
    status,
    reason: status === 'True' ? type : '',
    message,
    lastTransitionTime: at,
  });
  return {
    apiVersion: 'machineconfiguration.openshift.io/v1',
    kind: 'MachineConfigNode',
    metadata: {
      name: node.name,
      ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: node.name, uid: node.uid }],
    },
    spec: {
      node: { name: node.name },
      pool: { name: node.pool || 'not-yet-set' },
      configVersion: { desired },
    },
    status: {
      configVersion: { current, desired },
      conditions: [
        condition('UpdatePrepared', prepared, 'Update is prepared'),
        condition('UpdateExecuted', executed, 'Update is executed'),
        condition('Drained', drained, 'Node is drained'),
        condition('RebootedNode', rebooted, 'Node rebooted'),
        condition('UpdateComplete', complete, 'Update is complete'),
        condition(
          'Updated',
          updated ? 'True' : 'False',
          updated ? `Node is updated to ${desired}` : `Node is updating to ${desired}`,
        ),
        condition('NodeDegraded', degraded ? 'True' : 'False', degraded ? (a[A.reason] ?? '') : ''),
      ],
    },
  };
}

/** Keeps one MachineConfigNode per node of a cluster. */
export class MachineConfigNodes {
  private readonly cluster: SimCluster;
  private readonly phaseOf: (node: string) => McdPhase;
  /** What each MCN last showed (a compact key: written only when it changes). */
  private readonly shown = new Map<string, string>();

  constructor(cluster: SimCluster, phaseOf: (node: string) => McdPhase) {
    this.cluster = cluster;
    this.phaseOf = phaseOf;
  }

  /** Creates, updates or deletes the MachineConfigNode of `node`. */
  refresh(name: string): void {
    const node = this.cluster.nodes.get(undefined, name);
    const existing = this.cluster.machineConfigNodes.get(undefined, name);
    if (!node) {
      if (existing) this.cluster.machineConfigNodes.delete(undefined, name);
      this.shown.delete(name);
      return;
    }
    const phase = this.phaseOf(name);
    const a = node.annotations;
    const key = [node.pool, a[A.desiredConfig], a[A.currentConfig], a[A.state], a[A.reason], phase].join(
      '\u0000',
    );
    if (existing && this.shown.get(name) === key) return;
    this.shown.set(name, key);
    const object = machineConfigNodeOf(node, phase, this.cluster.isoNow());
    if (!existing) {
      this.cluster.machineConfigNodes.create(this.cluster.newObjectRecord(object, undefined));
      return;
    }
    this.cluster.machineConfigNodes.update({
      ...existing,
      object: { ...existing.object, spec: object.spec, status: object.status },
    });
  }
}
