/** Which pool a node belongs to (reference/mco.md §2.1, `GetPoolsForNode`). */

/** A pool's name and node selector (matchLabels). */
export interface PoolSelector {
  name: string;
  nodeSelector: Record<string, string>;
}

function matches(selector: Record<string, string>, labels: Record<string, string>): boolean {
  const entries = Object.entries(selector);
  // A nil or empty selector matches nothing.
  return entries.length > 0 && entries.every(([k, v]) => labels[k] === v);
}

/**
 * The node's primary pool: none for Windows nodes or when more than one custom pool matches; master over
 * a custom pool; a custom pool over worker; else worker if it matches.
 */
export function primaryPool(labels: Record<string, string>, pools: PoolSelector[]): string | null {
  if (labels['kubernetes.io/os'] === 'windows') return null;
  const matched = pools.filter((p) => matches(p.nodeSelector, labels)).map((p) => p.name);
  const custom = matched.filter((n) => n !== 'master' && n !== 'worker');
  if (custom.length > 1) return null;
  if (matched.includes('master')) return 'master';
  if (custom.length === 1) return custom[0]!;
  return matched.includes('worker') ? 'worker' : null;
}

/**
 * The pool a cluster change concerns: a MachineConfigPool by its name (if registered), a node by its
 * primary pool; null when none.
 */
export function poolOfChange(
  change: { kind: 'Node' | 'MachineConfigPool'; name: string; labels?: Record<string, string> | undefined },
  pools: PoolSelector[],
): string | null {
  if (change.kind === 'MachineConfigPool')
    return pools.some((p) => p.name === change.name) ? change.name : null;
  return primaryPool(change.labels ?? {}, pools);
}
