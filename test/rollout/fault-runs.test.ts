/**
 * Fault runs (see fault-runs.ts) on three fleets (annotations, agent, mco). CI runs a handful of seeds; `STRATA_FAULT_SEEDS=200` runs
 * 200 random seeds (reported in docs/rollout.md); `STRATA_FAULT_DRIVERS=mco` only one fleet. Failing seeds
 * are printed so they can be replayed.
 */
import { describe, expect, it } from 'vitest';
import { type FaultRunFleet, type FaultRunResult, faultRun } from './fault-runs.ts';

const count = Number(process.env.STRATA_FAULT_SEEDS ?? 6);
const base = Number(process.env.STRATA_FAULT_SEED_BASE ?? Math.floor(Math.random() * 1e6));

const fleets = (process.env.STRATA_FAULT_DRIVERS ?? 'annotations,agent,mco').split(',') as FaultRunFleet[];

describe.each(fleets)(
  'rollout under crashes, duplicated, lost and reordered messages, and ambiguous API failures (%s)',
  (on) => {
    it(`holds every invariant over ${count} random seeds from ${base}`, {
      timeout: Math.max(180_000, count * 20_000),
    }, async () => {
      const results: FaultRunResult[] = [];
      for (let i = 0; i < count; i++) results.push(await faultRun(base + i, on));
      const bad = results.filter(
        (r) => r.violations.length > 0 || r.doubleStarts.length > 0 || r.mismatches.length > 0 || !r.status,
      );
      const summary = {
        on,
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
