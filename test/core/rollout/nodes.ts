/** Node-facts factories for the rollout core tests. */
import { NodeAnnotations } from '../../../functions/core/model.ts';
import type { NodeFacts } from '../../../functions/core/rollout/index.ts';

/** A node with MCO annotations: `current`/`desired` config, daemon state, readiness. */
export function node(
  name: string,
  opts: {
    current?: string;
    desired?: string;
    state?: string;
    ready?: boolean;
    unschedulable?: boolean;
    zone?: string;
    created?: string;
    currentImage?: string;
    desiredImage?: string;
    reason?: string;
  } = {},
): NodeFacts {
  const annotations: Record<string, string> = {};
  if (opts.current !== undefined) annotations[NodeAnnotations.currentConfig] = opts.current;
  if (opts.desired !== undefined) annotations[NodeAnnotations.desiredConfig] = opts.desired;
  if (opts.state !== undefined) annotations[NodeAnnotations.state] = opts.state;
  if (opts.currentImage !== undefined) annotations[NodeAnnotations.currentImage] = opts.currentImage;
  if (opts.desiredImage !== undefined) annotations[NodeAnnotations.desiredImage] = opts.desiredImage;
  if (opts.reason !== undefined) annotations[NodeAnnotations.reason] = opts.reason;
  return {
    name,
    labels: opts.zone ? { 'topology.kubernetes.io/zone': opts.zone } : {},
    annotations,
    unschedulable: opts.unschedulable ?? false,
    conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True' }],
    creationTimestamp: opts.created ?? '2026-01-01T00:00:00Z',
  };
}
