/**
 * Label selectors, a pool's MachineConfigs (`syncMachineConfigPool` selection gates) and a node's pools
 * (`GetPoolsForNode`).
 */
import { objectLabel, sourceOf } from './documents.ts';
import { PoolResolutionError, RenderError } from './errors.ts';
import type { LabelSelector, MachineConfig, MachineConfigPool, NodeLike } from './types.ts';

const operators = ['In', 'NotIn', 'Exists', 'DoesNotExist'];

/** Checks a selector's shape like `LabelSelectorAsSelector`; `field` names it in errors. */
export function checkSelector(
  selector: LabelSelector,
  location: { file?: string; object?: string; field: string },
): void {
  (selector.matchExpressions ?? []).forEach((req, i) => {
    const at = { ...location, field: `${location.field}.matchExpressions[${i}]` };
    if (!req || typeof req.key !== 'string' || req.key === '') throw new RenderError(at, 'key is required');
    if (!operators.includes(req.operator)) {
      throw new RenderError(
        at,
        `${JSON.stringify(req.operator)} is not a valid label selector operator (In, NotIn, Exists, DoesNotExist)`,
      );
    }
    const values = req.values ?? [];
    if ((req.operator === 'In' || req.operator === 'NotIn') && values.length === 0) {
      throw new RenderError(at, `values must be non-empty for operator ${req.operator}`);
    }
    if ((req.operator === 'Exists' || req.operator === 'DoesNotExist') && values.length > 0) {
      throw new RenderError(at, `values must be empty for operator ${req.operator}`);
    }
  });
}

/** Whether `labels` satisfy `selector` (all matchLabels and all matchExpressions). */
export function matchesSelector(
  selector: LabelSelector,
  labels: Record<string, string> | null | undefined,
): boolean {
  const l = labels ?? {};
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (!Object.hasOwn(l, key) || l[key] !== value) return false;
  }
  for (const req of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(l, req.key);
    const values = req.values ?? [];
    switch (req.operator) {
      case 'In':
        if (!has || !values.includes(l[req.key]!)) return false;
        break;
      case 'NotIn':
        if (has && values.includes(l[req.key]!)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/** A selector without any requirement (`{}`, or only empty parts). */
function hasNoRequirements(selector: LabelSelector): boolean {
  return (
    Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0
  );
}

/** `{}` exactly (what `reflect.DeepEqual(selector, &LabelSelector{})` accepts). */
function isEmptySelector(selector: LabelSelector): boolean {
  const s = selector as Record<string, unknown>;
  return Object.keys(s).every((k) => s[k] === undefined || s[k] === null);
}

/**
 * The pool's MachineConfigs in name order (stable): those its `machineConfigSelector` matches. A missing
 * selector matches nothing; an empty one (`{}`) is refused as MCO refuses it (event `SelectingAll`).
 */
export function selectMachineConfigs(
  pool: MachineConfigPool,
  mcs: readonly MachineConfig[],
): MachineConfig[] {
  const selector = pool.spec?.machineConfigSelector;
  if (selector === undefined || selector === null) return [];
  const location = {
    file: sourceOf(pool),
    object: objectLabel('MachineConfigPool', pool.metadata.name),
    field: 'spec.machineConfigSelector',
  };
  if (isEmptySelector(selector)) {
    throw new RenderError(
      location,
      'the selector is empty and would select every MachineConfig; MCO refuses to render such a pool (SelectingAll)',
    );
  }
  checkSelector(selector, location);
  return mcs
    .filter((mc) => matchesSelector(selector, mc.metadata.labels))
    .sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0));
}

/** A node's pools: the one whose config it runs, and the worker pool it also matches, if any. */
export interface NodePools {
  primary: MachineConfigPool;
  secondary?: MachineConfigPool;
  /** Set when a custom pool also matched a master node and was ignored (MCO's `MCCPoolAlert`). */
  ignoredCustomPool?: MachineConfigPool;
}

/**
 * Resolves a node's pool as MCO's `GetPoolsForNode` does. Returns `null` for Windows nodes and nodes no
 * pool selects; throws `PoolResolutionError` when more than one custom pool selects the node.
 */
export function poolForNode(node: NodeLike, pools: readonly MachineConfigPool[]): NodePools | null {
  const labels = node.metadata.labels ?? {};
  if (labels['kubernetes.io/os'] === 'windows') return null;
  const matched = pools.filter((p) => {
    const selector = p.spec?.nodeSelector;
    return selector && !hasNoRequirements(selector) && matchesSelector(selector, labels);
  });
  const master = matched.find((p) => p.metadata.name === 'master');
  const worker = matched.find((p) => p.metadata.name === 'worker');
  const custom = matched.filter((p) => p.metadata.name !== 'master' && p.metadata.name !== 'worker');
  if (custom.length > 1) {
    throw new PoolResolutionError(
      `node ${node.metadata.name} belongs to ${custom.length} custom pools (${custom.map((p) => p.metadata.name).join(', ')}); it can be in at most one`,
    );
  }
  if (custom.length === 1) {
    if (master) return { primary: master, ignoredCustomPool: custom[0]! };
    return worker ? { primary: custom[0]!, secondary: worker } : { primary: custom[0]! };
  }
  if (master) return { primary: master };
  if (worker) return { primary: worker };
  return null;
}
