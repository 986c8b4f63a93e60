/**
 * The mco driver's progress deadline on the simulator: a rollout whose strategy sets
 * `progressDeadlineSeconds` meets an MCO that is slow to act (its controllers' work queues delayed); past
 * the deadline the pool's blocker says what MCO is waiting on, `describe rollout` and `describe pool` show
 * it, and once MCO moves the blocker goes and the rollout completes.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { poolBlocked } from '../../bin/views/describe.ts';
import { describeRollout } from '../../functions/core/admin/index.ts';
import type { RolloutStrategy } from '../../functions/core/model.ts';
import { digestOf, type Harness, startHarness } from './harness.ts';
import { mcoFleetScenario } from './scenarios.ts';

const strategy: RolloutStrategy = {
  waves: [],
  maxConcurrentClusters: 1,
  soakSeconds: 0,
  poolFailureBudget: 0,
  fleetFailureBudget: 0,
  onFailure: 'halt',
  progressDeadlineSeconds: 20,
};

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

describe('progress deadline (mco driver)', { timeout: 180_000 }, () => {
  it('past the track’s deadline the pool says what MCO waits on; the words go once MCO moves', async () => {
    // MCO's controllers take 3 simulated minutes per work item: far past the 20 s deadline.
    h = await startHarness({
      scenario: mcoFleetScenario({ clusters: [{ name: 'a', nodes: 2 }], mcoDelay: '3m' }),
    });
    const id = await h.startRollout({ track: 'prod', digest: digestOf('v2'), strategy });
    await h.waitUntil(async () => (await h!.pool('a', 'worker')).mco?.blocked !== undefined, 'the blocker');
    const pool = await h.pool('a', 'worker');
    expect(pool.mco?.blocked).toMatch(
      /^waiting on MCO to render the pool's target for over 20s \(no change since \d{4}-\d\d-\d\dT[\d:.]+Z\): spec\.configuration is still rendered-worker-[0-9a-f]{32}$/,
    );
    // Said, not stalled: no node is Degraded, so the rollout waits.
    expect(pool.stalled).toBe(false);
    expect((await h.rollout(id)).status).toBe('Progressing');
    const blocked = describeRollout({
      rollout: await h.rollout(id),
      clusters: [
        {
          id: 'a',
          endpoint: '',
          labels: {},
          pools: [],
          credentials: { kind: 'token-secret' },
          registeredAt: '',
        },
      ],
      pools: [pool],
      events: [],
      now: h.now(),
    }).blocked;
    expect(blocked).toContain(`pool a/worker: no progress: ${pool.mco!.blocked}`);
    expect(poolBlocked(pool, null)).toContain(`no progress: ${pool.mco!.blocked}`);

    expect((await h.waitForStatus(id, ['Completed', 'Halted'], 150_000)).status).toBe('Completed');
    expect((await h.pool('a', 'worker')).mco?.blocked).toBeUndefined();
    expect(h.fleet.checkInvariants().violations).toEqual([]);
  });
});
