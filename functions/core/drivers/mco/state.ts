/**
 * What the `mco` driver keeps on a pool item besides the fleet-level fields (target, rollback target,
 * reached): the pool's original `maxUnavailable` (restored on release), MCO's name for the target (tracked
 * instead of the prediction), the last prediction mismatch reported, and when the pool last progressed.
 */
import type { IntOrPercent } from '../../model.ts';
import type { McnPhase } from './machine-config-nodes.ts';

/** The mco driver's bookkeeping on a pool item. */
export interface McoPoolState {
  /**
   * The MachineConfigPool's `spec.maxUnavailable` before Strata first set it (null: unset). Recorded before
   * the first patch, restored on release; absent while Strata never set it.
   */
  originalMaxUnavailable?: IntOrPercent | null;
  /** MCO's rendered name for the current target, once its render controller made it. */
  rendered?: string;
  /** The MCO name a prediction mismatch was last reported for (reported once per name). */
  mismatchReported?: string;
  /** What the pool's progress looked like last (counts, configs, node states), and since when. */
  progress?: { key: string; since: string };
  /** Why the pool has not progressed for the stall time, while it has not. */
  blocked?: string;
  /** Each node's phase by its MachineConfigNode, where the cluster serves them (absent where it does not). */
  machineConfigNodes?: Record<string, McnPhase>;
}
