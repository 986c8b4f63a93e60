/**
 * What of a Node the control plane reacts to. A relay forwards a node update only when this fingerprint
 * changes, so heartbeats (status.conditions[].lastHeartbeatTime, every ~10 s per node) never reach the queue.
 * Of those updates, only the ones {@link decisionFingerprint} sees need a reconcile; the others (the
 * targets and reboot requests Strata itself writes, read back) only add to the node's update history.
 */
import { observedNode } from '../functions/core/history/observed-node.ts';
import { AgentAnnotations, NodeAnnotations } from '../functions/core/model.ts';

/** The parts of a Node (or MachineConfigPool) object the fingerprint reads. */
export interface WatchedObject {
  metadata?: { name?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: { unschedulable?: boolean; paused?: boolean; configuration?: { name?: string } };
  status?: { conditions?: { type?: string; status?: string }[] };
}

/** The node's own reports and its pool membership: what a reconcile decides on. */
const reportedAnnotations = [
  NodeAnnotations.currentConfig,
  NodeAnnotations.state,
  NodeAnnotations.reason,
  NodeAnnotations.currentImage,
  AgentAnnotations.state,
  AgentAnnotations.stateImage,
  AgentAnnotations.currentImage,
  AgentAnnotations.reason,
];

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

/**
 * A string that changes when something a reconcile must decide on changes: labels (pool membership),
 * schedulability, Ready, and the daemon's or agent's reports. Not the desired targets and reboot requests:
 * Strata writes those (or MCO, right after Strata's MachineConfig), and the node's answer to them is a
 * report that changes this fingerprint anyway.
 */
export function decisionFingerprint(node: WatchedObject): string {
  const annotations = node.metadata?.annotations ?? {};
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready')?.status ?? 'Unknown';
  const labels = Object.entries(node.metadata?.labels ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify([
    labels,
    node.spec?.unschedulable === true,
    ready,
    reportedAnnotations.map((key) => annotations[key] ?? null),
  ]);
}

/** The same for a MachineConfigPool: its selector-relevant spec and its pause switch. */
export function poolFingerprint(pool: WatchedObject): string {
  return JSON.stringify([pool.spec?.paused === true, pool.spec?.configuration?.name ?? null]);
}
