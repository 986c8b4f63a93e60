/**
 * The node predicates of the Machine Config Operator (reference mco.md §2.4), on a node's annotations and
 * readiness, used for MachineConfigPool status. Same definitions as MCO's `layered_node_state.go`.
 */
import { NodeAnnotations as A } from '../functions/core/model.ts';

export interface NodeView {
  annotations: Readonly<Record<string, string>>;
  ready: boolean;
  unschedulable: boolean;
}

/** Ready condition True and schedulable. */
export function isNodeReady(node: NodeView): boolean {
  return node.ready && !node.unschedulable;
}

/** currentConfig = desiredConfig (non-empty), images done, state Done. */
export function isNodeDone(node: NodeView): boolean {
  const a = node.annotations;
  const current = a[A.currentConfig];
  const desired = a[A.desiredConfig];
  if (!current || !desired || current !== desired) return false;
  const desiredImage = a[A.desiredImage];
  const currentImage = a[A.currentImage];
  const imageDone =
    (desiredImage === undefined && currentImage === undefined) ||
    (!!desiredImage && !!currentImage && desiredImage === currentImage);
  return imageDone && a[A.state] === 'Done';
}

/** Failing on its way to a new config: currentConfig ≠ desiredConfig and Degraded/Unreconcilable. */
export function isNodeMcdFailing(node: NodeView): boolean {
  const a = node.annotations;
  return (a[A.currentConfig] ?? '') !== (a[A.desiredConfig] ?? '') && isDegraded(node);
}

export function isDegraded(node: NodeView): boolean {
  const state = node.annotations[A.state];
  return state === 'Degraded' || state === 'Unreconcilable';
}

/** MCO's `IsUnavailableForUpdate`. */
export function isUnavailableForUpdate(node: NodeView): boolean {
  if (!isNodeReady(node)) return true;
  if (isNodeDone(node)) return false;
  return !isNodeMcdFailing(node);
}

/** Updated to the pool's target config (image-mode: desiredImage may be set; it must be done). */
export function isUpdatedTo(node: NodeView, config: string, image: string | undefined): boolean {
  if (!isNodeDone(node) || node.annotations[A.desiredConfig] !== config) return false;
  return image === undefined || node.annotations[A.desiredImage] === image;
}

/** `maxUnavailable` scaled as MCO does: percentages floored, 0 becomes 1. */
export function resolveMaxUnavailable(value: number | string | undefined, nodes: number): number {
  let n = 1;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'string' && /^\d+%$/.test(value))
    n = Math.floor((Number.parseInt(value, 10) * nodes) / 100);
  return n === 0 ? 1 : n;
}
