/**
 * What of a Node the control plane reacts to. A relay forwards a node update only when this fingerprint
 * changes, so heartbeats (status.conditions[].lastHeartbeatTime, every ~10 s per node) never reach the queue.
 */
import { observedNode } from '../functions/core/history/observed-node.ts';
import { AgentAnnotations, NodeAnnotations } from '../functions/core/model.ts';

/** The parts of a Node (or MachineConfigPool) object the fingerprint reads. */
export interface WatchedObject {
  metadata?: { name?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: { unschedulable?: boolean; paused?: boolean; configuration?: { name?: string } };
  status?: { conditions?: { type?: string; status?: string }[] };
}

const watchedAnnotations = [
  NodeAnnotations.currentConfig,
  NodeAnnotations.desiredConfig,
  NodeAnnotations.state,
  NodeAnnotations.reason,
  NodeAnnotations.currentImage,
  NodeAnnotations.desiredImage,
  // The Strata node agent's reports (the `agent` driver moves a node on each of them) and the requests.
  AgentAnnotations.state,
  AgentAnnotations.stateImage,
  AgentAnnotations.currentImage,
  AgentAnnotations.reason,
  AgentAnnotations.desiredImage,
  AgentAnnotations.reboot,
];

/** A string that changes exactly when something Strata's reconcile depends on changes. */
export function nodeFingerprint(node: WatchedObject): string {
  const annotations = node.metadata?.annotations ?? {};
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready')?.status ?? 'Unknown';
  const labels = Object.entries(node.metadata?.labels ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify([
    labels,
    node.spec?.unschedulable === true,
    ready,
    watchedAnnotations.map((key) => annotations[key] ?? null),
    // What a node's update history is derived from (both vocabularies).
    observedNode(node),
  ]);
}

/** The same for a MachineConfigPool: its selector-relevant spec and its pause switch. */
export function poolFingerprint(pool: WatchedObject): string {
  return JSON.stringify([pool.spec?.paused === true, pool.spec?.configuration?.name ?? null]);
}
