/**
 * Fault runs (see fault-runs.ts), on both drivers. CI runs a handful of seeds; `STRATA_FAULT_SEEDS=200` runs
 * 200 random seeds (reported in docs/rollout.md); `STRATA_FAULT_DRIVERS=mco` only one driver. Failing seeds
 * are printed so they can be replayed.
 */
import { describe, expect, it } from 'vitest';
import { type FaultRunResult, faultRun } from './fault-runs.ts';

const count = Number(process.env.STRATA_FAULT_SEEDS ?? 6);
const base = Number(process.env.STRATA_FAULT_SEED_BASE ?? Math.floor(Math.random() * 1e6));

const drivers = (process.env.STRATA_FAULT_DRIVERS ?? 'agent,mco').split(',') as ('agent' | 'mco')[];

describe.each(drivers)(
  'rollout under crashes, duplicated, lost and reordered messages (%s driver)',
  (driver) => {
    it(`holds every invariant over ${count} random seeds from ${base}`, {
      timeout: Math.max(120_000, count * 10_000),
    }, async () => {
      const results: FaultRunResult[] = [];
      for (let i = 0; i < count; i++) results.push(await faultRun(base + i, driver));
      const bad = results.filter(
        (r) => r.violations.length > 0 || r.doubleStarts.length > 0 || r.mismatches.length > 0 || !r.status,
      );
      const summary = {
        driver,
        seeds: results.length,
        firstSeed: base,
        crashes: results.reduce((a, r) => a + r.crashes, 0),
        reconciles: results.reduce((a, r) => a + r.reconciles, 0),
        statuses: results.reduce<Record<string, number>>((a, r) => {
          a[r.status ?? 'none'] = (a[r.status ?? 'none'] ?? 0) + 1;
          return a;
        }, {}),
        violating: bad.map((r) => ({
          seed: r.seed,
          violations: r.violations.slice(0, 3),
          doubleStarts: r.doubleStarts,
          mismatches: r.mismatches,
        })),
      };
      console.log(JSON.stringify(summary));
      expect(summary.violating).toEqual([]);
      // Every run ended: completed, halted on its budget, or rolled back.
      expect(results.every((r) => ['Completed', 'Halted', 'RolledBack'].includes(r.status!))).toBe(true);
    });
  },
);
