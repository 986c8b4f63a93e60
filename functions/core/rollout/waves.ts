/** Splitting a rollout's clusters into waves (RolloutStrategy.waves). */
import type { LabelSelector, PlannedWave, RolloutStrategy } from '../model.ts';
import { InvalidPolicyError } from './errors.ts';
import { matchesSelector } from './selector.ts';

/** A cluster as the wave planner sees it. */
export interface ClusterRef {
  id: string;
  labels: Record<string, string>;
}

export type { PlannedWave } from '../model.ts';

/**
 * Checks a strategy before any cluster is touched.
 * @throws InvalidPolicyError naming the field.
 */
export function validateStrategy(strategy: RolloutStrategy, where = 'strategy'): void {
  strategy.waves.forEach((w, i) => {
    if ('count' in w && (!Number.isInteger(w.count) || w.count < 1)) {
      throw new InvalidPolicyError(`${where}.waves[${i}] (${w.name}).count: must be an integer ≥ 1`);
    }
    if ('percent' in w && !(w.percent > 0 && w.percent <= 100)) {
      throw new InvalidPolicyError(`${where}.waves[${i}] (${w.name}).percent: must be in (0, 100]`);
    }
  });
  if (!Number.isInteger(strategy.maxConcurrentClusters) || strategy.maxConcurrentClusters < 1) {
    throw new InvalidPolicyError(`${where}.maxConcurrentClusters: must be an integer ≥ 1`);
  }
  if (!(strategy.soakSeconds >= 0)) throw new InvalidPolicyError(`${where}.soakSeconds: must be ≥ 0`);
  if (!Number.isInteger(strategy.poolFailureBudget) || strategy.poolFailureBudget < 0) {
    throw new InvalidPolicyError(`${where}.poolFailureBudget: must be an integer ≥ 0`);
  }
  const fleet = strategy.fleetFailureBudget;
  if (typeof fleet === 'number' ? !(Number.isInteger(fleet) && fleet >= 0) : !/^\d+(\.\d+)?%$/.test(fleet)) {
    throw new InvalidPolicyError(`${where}.fleetFailureBudget: must be an integer ≥ 0 or "<number>%"`);
  }
  if (strategy.onFailure !== 'halt' && strategy.onFailure !== 'rollback') {
    throw new InvalidPolicyError(`${where}.onFailure: must be "halt" or "rollback"`);
  }
}

/**
 * Assigns every targeted cluster to exactly one wave, in the strategy's order. Selector waves take the
 * remaining clusters that match; count and percent waves take that many of the remaining (percent rounded
 * up, so a wave is never empty while clusters remain), by id. Clusters left over form a final wave `rest`.
 * Empty waves are dropped.
 */
export function planWaves(clusters: ClusterRef[], strategy: RolloutStrategy): PlannedWave[] {
  let remaining = [...clusters].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const waves: PlannedWave[] = [];
  const take = (name: string, picked: ClusterRef[]) => {
    const ids = new Set(picked.map((c) => c.id));
    remaining = remaining.filter((c) => !ids.has(c.id));
    if (picked.length > 0) waves.push({ name, clusters: picked.map((c) => c.id) });
  };
  for (const wave of strategy.waves) {
    if ('clusterSelector' in wave) {
      const selector: LabelSelector = wave.clusterSelector;
      take(
        wave.name,
        remaining.filter((c) => matchesSelector(selector, c.labels)),
      );
    } else if ('count' in wave) {
      take(wave.name, remaining.slice(0, wave.count));
    } else {
      take(wave.name, remaining.slice(0, Math.ceil((wave.percent * remaining.length) / 100)));
    }
  }
  take('rest', remaining);
  return waves;
}
