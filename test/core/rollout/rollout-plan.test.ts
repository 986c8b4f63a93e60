import { describe, expect, it } from 'vitest';
import type { RolloutStrategy } from '../../../functions/core/model.ts';
import {
  type ClusterReport,
  InvalidPolicyError,
  planRollout,
  planWaves,
  type RolloutProgress,
  validateStrategy,
} from '../../../functions/core/rollout/index.ts';

const strategy: RolloutStrategy = {
  waves: [
    { name: 'canary', clusterSelector: { matchLabels: { canary: 'true' } } },
    { name: 'quarter', percent: 25 },
  ],
  maxConcurrentClusters: 2,
  soakSeconds: 60,
  poolFailureBudget: 0,
  fleetFailureBudget: 1,
  onFailure: 'halt',
};

function cluster(id: string, state: 'idle' | 'updating' | 'done' | 'degraded', labels = {}): ClusterReport {
  return {
    id,
    labels,
    pools: [
      {
        pool: 'worker',
        machineCount: 3,
        degraded: state === 'degraded' ? 1 : 0,
        targeted: state !== 'idle',
        done: state === 'done',
        restored: state === 'idle',
      },
    ],
  };
}

const t0 = '2026-01-01T00:00:00.000Z';
const at = (s: number) => new Date(Date.parse(t0) + s * 1000).toISOString();

describe('waves', () => {
  it('selector, then percent of the remaining (rounded up), then the rest', () => {
    const clusters = ['a', 'b', 'c', 'd', 'e', 'f'].map((id) => ({
      id,
      labels: (id === 'c' ? { canary: 'true' } : {}) as Record<string, string>,
    }));
    expect(planWaves(clusters, strategy)).toEqual([
      { name: 'canary', clusters: ['c'] },
      { name: 'quarter', clusters: ['a', 'b'] },
      { name: 'rest', clusters: ['d', 'e', 'f'] },
    ]);
  });

  it('rejects a bad strategy naming the field', () => {
    expect(() => validateStrategy({ ...strategy, maxConcurrentClusters: 0 }, 'track prod')).toThrow(
      /track prod\.maxConcurrentClusters/,
    );
    expect(() => validateStrategy({ ...strategy, waves: [{ name: 'w', percent: 0 }] })).toThrow(
      InvalidPolicyError,
    );
  });
});

describe('rollout policy', () => {
  const labels = (id: string) => (id === 'c' ? { canary: 'true' } : {});

  it('starts the first wave, waits for it, soaks, then moves on with bounded concurrency', () => {
    // Prepare
    const ids = ['a', 'b', 'c', 'd', 'e'];
    const reports = (state: Record<string, 'idle' | 'updating' | 'done'>) =>
      ids.map((id) => cluster(id, state[id] ?? 'idle', labels(id)));
    // Act: first pass
    const p1 = planRollout({
      rollout: { status: 'Pending', strategy },
      progress: null,
      clusters: reports({}),
      now: t0,
    });
    // Assess
    expect(p1.status).toBe('Progressing');
    expect(p1.activate).toEqual(['c']);
    // Wave done: soak starts when it completes.
    const p2 = planRollout({
      rollout: { status: p1.status, strategy },
      progress: p1.progress,
      clusters: reports({ c: 'done' }),
      now: at(10),
    });
    expect(p2).toMatchObject({ status: 'Soaking', activate: [], requeueAfterSeconds: 60 });
    // Soak over: next wave (25% of 4 remaining = 1 → a), maxConcurrent 2.
    const p3 = planRollout({
      rollout: { status: p2.status, strategy },
      progress: p2.progress,
      clusters: reports({ c: 'done' }),
      now: at(70),
    });
    expect(p3.status).toBe('Progressing');
    expect(p3.activate).toEqual(['a']);
    const p4 = planRollout({
      rollout: { status: p3.status, strategy },
      progress: p3.progress,
      clusters: reports({ c: 'done', a: 'done' }),
      now: at(80),
    });
    expect(p4.status).toBe('Soaking');
    const p5 = planRollout({
      rollout: { status: p4.status, strategy },
      progress: p4.progress,
      clusters: reports({ c: 'done', a: 'done' }),
      now: at(141),
    });
    expect(p5.activate).toEqual(['b', 'd']);
    const p6 = planRollout({
      rollout: { status: p5.status, strategy },
      progress: p5.progress,
      clusters: reports({ c: 'done', a: 'done', b: 'done', d: 'updating' }),
      now: at(150),
    });
    expect(p6.activate).toEqual(['e']);
    const p7 = planRollout({
      rollout: { status: p6.status, strategy },
      progress: p6.progress,
      clusters: reports({ c: 'done', a: 'done', b: 'done', d: 'done', e: 'done' }),
      now: at(160),
    });
    expect(p7.status).toBe('Completed');
  });

  it('halts when a pool exceeds its failure budget', () => {
    const progress: RolloutProgress = {
      waves: [{ name: 'rest', clusters: ['a'] }],
      wave: 0,
      waveCompletedAt: null,
      activated: ['a'],
      completed: [],
    };
    const p = planRollout({
      rollout: { status: 'Progressing', strategy },
      progress,
      clusters: [cluster('a', 'degraded')],
      now: t0,
    });
    expect(p.status).toBe('Halted');
    expect(p.progress.failureReason).toMatch(
      /pool a\/worker: 1 degraded nodes exceed the pool failure budget 0/,
    );
  });

  it('rolls back the activated clusters with onFailure rollback, RolledBack once restored', () => {
    const progress: RolloutProgress = {
      waves: [{ name: 'rest', clusters: ['a', 'b'] }],
      wave: 0,
      waveCompletedAt: null,
      activated: ['a'],
      completed: [],
    };
    const rollback = { ...strategy, onFailure: 'rollback' as const };
    const p = planRollout({
      rollout: { status: 'Progressing', strategy: rollback },
      progress,
      clusters: [cluster('a', 'degraded'), cluster('b', 'idle')],
      now: t0,
    });
    expect(p).toMatchObject({ status: 'RollingBack', rollback: ['a'] });
    const q = planRollout({
      rollout: { status: 'RollingBack', strategy: rollback },
      progress: p.progress,
      clusters: [cluster('a', 'idle'), cluster('b', 'idle')],
      now: t0,
    });
    expect(q.status).toBe('RolledBack');
  });

  it('ends a rollback with Halted, naming the pools that had no rollback target, once every other pool is back', () => {
    // Prepare: a rolling-back rollout on a and b; a's pool was targeted before its baseline was recorded.
    const progress: RolloutProgress = {
      waves: [{ name: 'rest', clusters: ['a', 'b'] }],
      wave: 0,
      waveCompletedAt: null,
      activated: ['a', 'b'],
      completed: [],
    };
    const rollback = { ...strategy, onFailure: 'rollback' as const };
    const orphan = (id: string): ClusterReport => {
      const c = cluster(id, 'done');
      return { ...c, pools: [{ ...c.pools[0]!, noRollbackTarget: true }] };
    };
    const pass = (clusters: ClusterReport[]) =>
      planRollout({ rollout: { status: 'RollingBack', strategy: rollback }, progress, clusters, now: t0 });
    // Act
    const whileBGoesBack = pass([orphan('a'), cluster('b', 'updating')]);
    const afterBIsBack = pass([orphan('a'), cluster('b', 'idle')]);
    // Assess: no endless RollingBack; the reason names the pool and why.
    expect(whileBGoesBack.status).toBe('RollingBack');
    expect(afterBIsBack.status).toBe('Halted');
    expect(afterBIsBack.progress.failureReason).toBe(
      "rollback incomplete: a/worker had no rollback target (no baseline was recorded before this rollout targeted it); held on this rollout's target",
    );
  });

  it('a fleet budget in percent counts degraded nodes across pools', () => {
    const progress: RolloutProgress = {
      waves: [{ name: 'rest', clusters: ['a', 'b'] }],
      wave: 0,
      waveCompletedAt: null,
      activated: ['a', 'b'],
      completed: [],
    };
    const loose = { ...strategy, poolFailureBudget: 5, fleetFailureBudget: '20%' as const };
    // 6 machines, 20% → 1 tolerated; 2 degraded → halt.
    const p = planRollout({
      rollout: { status: 'Progressing', strategy: loose },
      progress,
      clusters: [cluster('a', 'degraded'), cluster('b', 'degraded')],
      now: t0,
    });
    expect(p.status).toBe('Halted');
    expect(p.progress.failureReason).toMatch(/2 degraded nodes fleet-wide exceed the fleet failure budget 1/);
  });

  it('paused and halted rollouts do nothing', () => {
    for (const status of ['Paused', 'Halted', 'Aborted', 'Superseded'] as const) {
      const p = planRollout({
        rollout: { status, strategy },
        progress: null,
        clusters: [cluster('a', 'idle')],
        now: t0,
      });
      expect(p).toMatchObject({ status, activate: [], rollback: [] });
    }
  });

  it('a stalled pool halts a progressing rollout, and halts a rollback that cannot finish', () => {
    const progress: RolloutProgress = {
      waves: [{ name: 'rest', clusters: ['a'] }],
      wave: 0,
      waveCompletedAt: null,
      activated: ['a'],
      completed: [],
    };
    const stalled = cluster('a', 'degraded');
    stalled.pools[0]!.stalled = true;
    const tolerant = { ...strategy, poolFailureBudget: 1, fleetFailureBudget: 5 };
    const p = planRollout({
      rollout: { status: 'Progressing', strategy: tolerant },
      progress,
      clusters: [stalled],
      now: t0,
    });
    expect(p.status).toBe('Halted');
    expect(p.progress.failureReason).toMatch(
      /stalled: pool a\/worker: 1 failed nodes hold all of maxUnavailable/,
    );
    const sentBack = structuredClone(stalled);
    sentBack.pools[0]!.onRollback = true;
    const q = planRollout({
      rollout: { status: 'RollingBack', strategy: tolerant },
      progress,
      clusters: [sentBack],
      now: t0,
    });
    expect(q.status).toBe('Halted');
    expect(q.progress.failureReason).toMatch(/^rollback stalled: /);
  });

  it('a rollback pass that reads a pool before the rollback reached it (still stalled forward) keeps rolling back', () => {
    // Prepare: a concurrent pass wrote RollingBack; this one read the pool before its rollback target.
    const progress: RolloutProgress = {
      waves: [{ name: 'rest', clusters: ['a'] }],
      wave: 0,
      waveCompletedAt: null,
      activated: ['a'],
      completed: [],
    };
    const stalled = cluster('a', 'degraded');
    stalled.pools[0]!.stalled = true;
    // Act
    const q = planRollout({
      rollout: { status: 'RollingBack', strategy: { ...strategy, onFailure: 'rollback' } },
      progress,
      clusters: [stalled],
      now: t0,
    });
    // Assess
    expect(q.status).toBe('RollingBack');
    expect(q.rollback).toEqual(['a']);
  });
});
