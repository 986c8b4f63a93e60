/**
 * A node's update history on the mco driver, end to end: simulated OpenShift clusters whose MCO moves the
 * nodes, the real watch relay, the node-state handler and dynalite. One rollout; every node's recorded
 * history then ends with one attempt, updated, its steps in the order MCO took them.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { getNodeHistory } from '../../functions/adapters/store/history.ts';
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
};

/** Whether `steps` holds `expected` in this order (other steps may come between). */
function inOrder(steps: string[], expected: string[]): boolean {
  let i = 0;
  for (const s of steps) if (s === expected[i]) i++;
  return i === expected.length;
}

describe('node update history on the mco driver (simulated MCO, real relay)', { timeout: 180_000 }, () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  it('records each node’s attempt from target to done, in order, ending updated', async () => {
    h = await startHarness({
      scenario: mcoFleetScenario({ clusters: [{ name: 'a', nodes: 3, maxUnavailable: 1 }] }),
    });
    const id = await h.startRollout({ track: 'prod', digest: digestOf('v2'), strategy });
    expect((await h.waitForStatus(id, ['Completed', 'Halted'])).status).toBe('Completed');
    const state = h.fleet.cluster('a').state;
    const nodes = state.nodes.list().map((n) => n.name);
    const settled = async () => {
      for (const node of nodes) {
        const record = await getNodeHistory(h!.store, 'a', node);
        if (record?.attempts.at(-1)?.result !== 'updated') return false;
      }
      return true;
    };
    // The relay's last events may still be on their way when the rollout completes.
    await h.waitUntil(settled, 'every node’s history to end updated', 20_000).catch(() => {});
    for (const node of nodes) {
      const record = await getNodeHistory(h.store, 'a', node);
      const attempts = record?.attempts ?? [];
      const steps = attempts.flatMap((a) => a.steps.map((s) => s.step));
      expect({ node, attempts: attempts.length, result: attempts[0]?.result, steps }).toMatchObject({
        node,
        attempts: 1,
        result: 'updated',
      });
      expect(inOrder(steps, ['target', 'working', 'not-ready', 'ready', 'done']), steps.join(' ')).toBe(true);
      expect(attempts[0]!.target?.config).toBe(state.poolTarget('worker').config);
    }
    expect(h.errors).toEqual([]);
  });
});
