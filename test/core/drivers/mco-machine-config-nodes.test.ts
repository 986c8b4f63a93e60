/** The mco driver's reading of MachineConfigNodes: each node's phase, and its use in a pass's blocker. */
import { describe, expect, it } from 'vitest';
import {
  type MachineConfigNodeFacts,
  type McoPoolObservation,
  mcnPhase,
  mcnPhases,
  planMcoPass,
} from '../../../functions/core/drivers/mco/index.ts';
import { NodeAnnotations } from '../../../functions/core/model.ts';
import type { NodeFacts } from '../../../functions/core/rollout/node-facts.ts';
import { newPool } from '../../../functions/core/rollout/pool-state.ts';

const IMAGE = `quay.io/acme/rhcos@sha256:${'ab'.repeat(32)}`;
const T0 = '2026-06-01T12:00:00.000Z';
const T1 = '2026-06-01T12:03:00.000Z';
const NOW = new Date(T0);

type S = 'True' | 'False' | 'Unknown';
/** An MCN whose conditions have the statuses given (others absent), each since `at[type]` or T0. */
function mcn(
  name: string,
  statuses: Record<string, S>,
  over: Partial<MachineConfigNodeFacts> = {},
  at: Record<string, string> = {},
  messages: Record<string, string> = {},
): MachineConfigNodeFacts {
  return {
    name,
    pool: 'worker',
    desired: 'rendered-worker-new',
    current: 'rendered-worker-old',
    conditions: Object.entries(statuses).map(([type, status]) => ({
      type,
      status,
      reason: '',
      message: messages[type] ?? '',
      lastTransitionTime: at[type] ?? T0,
    })),
    ...over,
  };
}

describe('mcnPhase', () => {
  it('names the phase and step in progress (Unknown), since the step’s transition', () => {
    const draining = mcn(
      'w0',
      { UpdatePrepared: 'True', UpdateExecuted: 'Unknown', Drained: 'Unknown', Updated: 'False' },
      {},
      { UpdateExecuted: T0, Drained: T1 },
    );
    expect(mcnPhase(draining)).toEqual({ phase: 'UpdateExecuted/Drained', since: T1 });
    const rebooting = mcn('w0', { UpdateExecuted: 'True', RebootedNode: 'Unknown', Updated: 'False' });
    expect(mcnPhase(rebooting)).toEqual({ phase: 'RebootedNode', since: T0 });
    const preparing = mcn('w0', { UpdatePrepared: 'Unknown', UpdateExecuted: 'False', Updated: 'False' });
    expect(mcnPhase(preparing).phase).toBe('UpdatePrepared');
  });

  it('Degraded before anything, with its message; Updated only on the desired config; else Pending', () => {
    const degraded = mcn(
      'w0',
      { UpdateExecuted: 'Unknown', NodeDegraded: 'True' },
      {},
      { NodeDegraded: T1 },
      { NodeDegraded: 'failed to pull image' },
    );
    expect(mcnPhase(degraded)).toEqual({ phase: 'NodeDegraded', since: T1, message: 'failed to pull image' });
    const on = { current: 'rendered-worker-new' };
    expect(mcnPhase(mcn('w0', { Updated: 'True' }, on))).toEqual({ phase: 'Updated', since: T0 });
    // Updated=True still on the old config (MCO has not told it the new one): waiting, not updated.
    expect(mcnPhase(mcn('w0', { Updated: 'True', UpdatePrepared: 'False' })).phase).toBe('Pending');
    expect(mcnPhase(mcn('w0', { Updated: 'False' }, on)).phase).toBe('Unknown');
  });

  it('mcnPhases keeps the pool’s nodes only', () => {
    const all = [mcn('w1', { Updated: 'False' }), mcn('m0', { Updated: 'False' }), mcn('w0', {})];
    expect(Object.keys(mcnPhases(all, ['w0', 'w1', 'w2']))).toEqual(['w0', 'w1']);
  });
});

function node(name: string, state: string): NodeFacts {
  return {
    name,
    labels: {},
    annotations: {
      [NodeAnnotations.desiredConfig]: 'rendered-worker-new',
      [NodeAnnotations.currentConfig]: 'rendered-worker-old',
      [NodeAnnotations.state]: state,
    },
    unschedulable: false,
    conditions: [],
    creationTimestamp: T0,
  };
}

const observed: McoPoolObservation = {
  paused: false,
  annotations: {},
  machineConfigSelector: { matchLabels: { 'machineconfiguration.openshift.io/role': 'worker' } },
  maxUnavailable: 1,
  generation: 2,
  observedGeneration: 2,
  targetConfig: 'rendered-worker-new',
  currentConfig: 'rendered-worker-old',
  targetImage: IMAGE,
  machineCount: 1,
  updatedMachineCount: 0,
  readyMachineCount: 0,
  unavailableMachineCount: 1,
  degradedMachineCount: 0,
  conditions: [],
  layerImage: IMAGE,
  baseImage: null,
};

describe('planMcoPass with MachineConfigNodes', () => {
  const strategy = {
    waves: [],
    maxConcurrentClusters: 1,
    maxUnavailable: 1,
    soakSeconds: 0,
    poolFailureBudget: 0,
    fleetFailureBudget: 0,
    onFailure: 'halt' as const,
    progressDeadlineSeconds: 60,
  };
  const at = (seconds: number) => new Date(NOW.getTime() + seconds * 1000);
  const run = (
    pool: ReturnType<typeof planMcoPass>['next'],
    seconds: number,
    phases: ReturnType<typeof mcnPhases> | null,
  ) =>
    planMcoPass({
      pool,
      rollout: { status: 'Progressing', strategy },
      observed,
      nodes: [node('w0', 'Working')],
      machineConfigNodes: phases,
      windows: undefined,
      now: at(seconds),
      settings: { stallSeconds: 1800 },
    });
  const start = {
    ...newPool('c', 'worker', {}, T0, 1),
    target: { config: 'rendered-worker-new', image: IMAGE, rolloutId: 'r1' },
  };

  it('the blocker names the node’s MCN phase; the pool item keeps each phase; a phase change is progress', () => {
    const draining = mcnPhases(
      [mcn('w0', { UpdatePrepared: 'True', UpdateExecuted: 'Unknown', Drained: 'Unknown' })],
      ['w0'],
    );
    const first = run(start, 0, draining);
    expect(first.next.mco?.machineConfigNodes).toEqual({
      w0: { phase: 'UpdateExecuted/Drained', since: T0 },
    });
    const late = run(first.next, 61, draining);
    expect(late.next.mco?.blocked).toBe(
      `waiting on MCO: 1 of 1 node(s) not updated to rendered-worker-new for over 1m (no change since ${T0}); ` +
        `node w0: UpdateExecuted/Drained since ${T0}; MCO reports 0/1 updated, 1 unavailable, 0 degraded`,
    );
    // Same annotations, but the MCN moved on to the reboot: progress, the blocker goes, the clock restarts.
    const rebooting = mcnPhases(
      [mcn('w0', { UpdateExecuted: 'True', RebootedNode: 'Unknown' }, {}, { RebootedNode: T1 })],
      ['w0'],
    );
    const moved = run(late.next, 62, rebooting);
    expect(moved.next.mco?.blocked).toBeUndefined();
    expect(moved.next.mco?.progress?.since).toBe(at(62).toISOString());
    expect(moved.next.mco?.machineConfigNodes?.w0).toEqual({ phase: 'RebootedNode', since: T1 });
  });

  it('without MachineConfigNodes the blocker comes from the node annotations, and nothing MCN is kept', () => {
    const first = run(start, 0, null);
    expect(first.next.mco?.machineConfigNodes).toBeUndefined();
    const late = run(first.next, 61, null);
    expect(late.next.mco?.blocked).toContain(`node w0 in state Working since ${T0}`);
  });
});
