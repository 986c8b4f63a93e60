/**
 * What of a node its update history is derived from, in both vocabularies a node can speak: MCO's
 * `machineconfiguration.openshift.io/*` annotations (written by Strata or by MCO's own controllers, read
 * back from the daemon) and the Strata node agent's `strata.io/*` annotations (agent/protocol.ts). The
 * watch relay sends these facts with each node change; nothing here reads a cluster.
 */
import * as z from 'zod';
import { AgentAnnotations, NodeAnnotations } from '../model.ts';

/** The agent's annotations the history reads (core/model.ts `AgentAnnotations`, the agent's protocol). */
const { desiredImage, state, stateImage, currentImage, reason } = AgentAnnotations;
export const AgentNodeAnnotations = { desiredImage, state, stateImage, currentImage, reason } as const;

/** Every annotation a node's history is derived from. */
export const HISTORY_ANNOTATIONS: readonly string[] = [
  ...Object.values(NodeAnnotations),
  ...Object.values(AgentNodeAnnotations),
];

/** The facts of a node its history is derived from, as the relay sends them. */
export const ObservedNodeSchema = z.object({
  unschedulable: z.boolean(),
  ready: z.boolean(),
  /** Only the keys of {@link HISTORY_ANNOTATIONS}. */
  annotations: z.record(z.string(), z.string()),
});
export type ObservedNode = z.infer<typeof ObservedNodeSchema>;

/** The parts of a Kubernetes Node {@link observedNode} reads. */
export interface NodeObject {
  metadata?: { annotations?: Record<string, string> };
  spec?: { unschedulable?: boolean };
  status?: { conditions?: { type?: string; status?: string }[] };
}

/** The observed facts of a Node object (annotations outside the history's keys left out). */
export function observedNode(node: NodeObject): ObservedNode {
  const all = node.metadata?.annotations ?? {};
  const annotations: Record<string, string> = {};
  for (const key of HISTORY_ANNOTATIONS) if (all[key] !== undefined) annotations[key] = all[key];
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
  return { unschedulable: node.spec?.unschedulable === true, ready, annotations };
}

/** What a node was told to run: a rendered config (MCO) and/or a pinned image. */
export interface HistoryTarget {
  config: string | null;
  image: string | null;
}

/** One vocabulary's facts, read into the same shape. */
export interface NodeReading {
  vocabulary: 'mco' | 'agent';
  /** The desired target; null when the node was never told one. */
  target: HistoryTarget | null;
  /** The daemon's or agent's state (`Working`, `Staging`, `Staged`, `Rebooting`, `Done`, `Degraded`, …). */
  state: string | null;
  reason: string | null;
  /** Current config and image equal the desired ones. */
  atTarget: boolean;
  /** MCO's drain request: `draining` until the daemon applied it, then `drained`. */
  drain: 'draining' | 'drained' | null;
  unschedulable: boolean;
  ready: boolean;
}

/** A target as one comparable string. */
export function targetKey(target: HistoryTarget | null): string {
  return target ? `${target.config ?? ''}|${target.image ?? ''}` : '';
}

/** Reads a node's facts in the vocabulary it speaks: the agent's when any `strata.io/*` key is present. */
export function readNode(node: ObservedNode): NodeReading {
  const a = node.annotations;
  const base = { unschedulable: node.unschedulable, ready: node.ready };
  const agent = AgentNodeAnnotations;
  if (a[agent.desiredImage] !== undefined || a[agent.state] !== undefined) {
    const image = a[agent.desiredImage] ?? null;
    return {
      ...base,
      vocabulary: 'agent',
      target: image ? { config: null, image } : null,
      state: a[agent.state] ?? null,
      reason: a[agent.reason] || null,
      atTarget: image !== null && a[agent.currentImage] === image,
      drain: null,
    };
  }
  const mco = NodeAnnotations;
  const config = a[mco.desiredConfig] ?? null;
  const image = a[mco.desiredImage] ?? null;
  const desiredDrain = a[mco.desiredDrain] ?? '';
  const drain = desiredDrain.startsWith('drain')
    ? a[mco.lastAppliedDrain] === desiredDrain
      ? 'drained'
      : 'draining'
    : null;
  return {
    ...base,
    vocabulary: 'mco',
    target: config || image ? { config, image } : null,
    state: a[mco.state] ?? null,
    reason: a[mco.reason] || null,
    atTarget: config === (a[mco.currentConfig] ?? null) && (image === null || a[mco.currentImage] === image),
    drain,
  };
}
