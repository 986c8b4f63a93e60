/** The mco driver's pure decisions: one pass over a pool, the prediction's refusals, the release. */
import { describe, expect, it } from 'vitest';
import {
  layeredRollbackTrap,
  type McoPassInput,
  type McoPoolObservation,
  OriginalMaxUnavailableAnnotation,
  PauseAnnotations,
  planMcoPass,
  prepareMcoTarget,
  releasePatch,
} from '../../../functions/core/drivers/mco/index.ts';
import { NodeAnnotations } from '../../../functions/core/model.ts';
import type { NodeFacts } from '../../../functions/core/rollout/node-facts.ts';
import { newPool, type PoolRecord } from '../../../functions/core/rollout/pool-state.ts';

const IMAGE = `quay.io/acme/rhcos@sha256:${'ab'.repeat(32)}`;
const BASE = `quay.io/ocp/rhcos@sha256:${'cd'.repeat(32)}`;
const NOW = new Date('2026-06-01T12:00:00Z');

function observed(over: Partial<McoPoolObservation> = {}): McoPoolObservation {
  return {
    paused: false,
    annotations: {},
    machineConfigSelector: { matchLabels: { 'machineconfiguration.openshift.io/role': 'worker' } },
    maxUnavailable: null,
    generation: 2,
    observedGeneration: 2,
    targetConfig: 'rendered-worker-old',
    currentConfig: 'rendered-worker-old',
    targetImage: BASE,
    machineCount: 2,
    updatedMachineCount: 2,
    readyMachineCount: 2,
    unavailableMachineCount: 0,
    degradedMachineCount: 0,
    conditions: [
      { type: 'Updated', status: 'True', reason: '', message: '', lastTransitionTime: NOW.toISOString() },
    ],
    layerImage: null,
    baseImage: BASE,
    ...over,
  };
}

function node(name: string, annotations: Record<string, string> = {}): NodeFacts {
  return {
    name,
    labels: {},
    annotations,
    unschedulable: false,
    conditions: [],
    creationTimestamp: NOW.toISOString(),
  };
}

function targeted(over: Partial<PoolRecord> = {}): PoolRecord {
  return {
    ...newPool('c', 'worker', {}, NOW.toISOString(), 2),
    target: { config: 'rendered-worker-new', image: IMAGE, rolloutId: 'r1' },
    ...over,
  };
}

function pass(over: Partial<McoPassInput>) {
  return planMcoPass({
    pool: targeted(),
    rollout: {
      status: 'Progressing',
      strategy: {
        waves: [],
        maxConcurrentClusters: 1,
        soakSeconds: 0,
        poolFailureBudget: 0,
        fleetFailureBudget: 0,
        onFailure: 'halt',
      },
    },
    observed: observed(),
    nodes: [node('worker-0'), node('worker-1')],
    windows: undefined,
    now: NOW,
    settings: { stallSeconds: 600 },
    ...over,
  });
}

describe('planMcoPass', () => {
  it('a new target: maxUnavailable set (original recorded) before the image layer is written', () => {
    const p = pass({});
    expect(p.writes.before).toEqual({
      maxUnavailable: 2,
      annotations: { [OriginalMaxUnavailableAnnotation]: 'null' },
    });
    expect(p.writes.layer).toEqual({
      image: IMAGE,
      labels: { 'machineconfiguration.openshift.io/role': 'worker' },
    });
    expect(p.writes.after).toBeNull();
    expect(p.next.mco?.originalMaxUnavailable).toBeNull();
    expect(p.done).toBe(false);
  });

  it('a closed window pauses the pool (annotated as Strata’s) and writes no image layer', () => {
    const p = pass({ windows: [{ cron: '0 3 * * *', timeZone: 'UTC', durationMinutes: 30 }] });
    expect(p.holds).toEqual(['window-closed']);
    expect(p.writes.before).toMatchObject({
      paused: true,
      annotations: { [PauseAnnotations.pausedBy]: 'strata', [PauseAnnotations.reason]: 'window-closed' },
    });
    expect(p.writes.layer).toBeNull();
  });

  it('a pool paused by someone else is reported and left paused; nothing is written', () => {
    const p = pass({ observed: observed({ paused: true, maxUnavailable: 2 }) });
    expect(p.holds).toEqual(['paused-by-admin']);
    expect(p.writes).toEqual({ before: null, layer: null, after: null, events: [] });
  });

  it('Strata’s own pause comes off once the pool may move, after the image layer', () => {
    const annotations = { [PauseAnnotations.pausedBy]: 'strata', [PauseAnnotations.reason]: 'paused' };
    const p = pass({ observed: observed({ paused: true, annotations, maxUnavailable: 2 }) });
    expect(p.writes.layer).not.toBeNull();
    expect(p.writes.after).toEqual({
      paused: false,
      annotations: Object.fromEntries(Object.values(PauseAnnotations).map((k) => [k, null])),
    });
  });

  it('done by MCO’s criteria: reached, MCO’s name recorded; a name other than predicted is warned about once', () => {
    const o = observed({
      targetConfig: 'rendered-worker-mco',
      currentConfig: 'rendered-worker-mco',
      targetImage: IMAGE,
      layerImage: IMAGE,
      maxUnavailable: 2,
    });
    const p = pass({ observed: o });
    expect(p.done).toBe(true);
    expect(p.next.reached).toBe(true);
    expect(p.next.lastCompleted).toEqual({ config: 'rendered-worker-mco', image: IMAGE });
    expect(p.mismatch).toEqual({ predicted: 'rendered-worker-new', rendered: 'rendered-worker-mco' });
    expect(p.writes.events.map((e) => e.reason)).toEqual(['RenderedNameMismatch']);
    expect(pass({ pool: p.next, observed: o }).mismatch).toBeNull();
  });

  it('not done while MCO’s status lags its spec (observedGeneration) or counts nodes not yet updated', () => {
    const on = {
      targetConfig: 'rendered-worker-new',
      currentConfig: 'rendered-worker-new',
      targetImage: IMAGE,
      layerImage: IMAGE,
    };
    expect(pass({ observed: observed({ ...on, observedGeneration: 1 }) }).done).toBe(false);
    expect(pass({ observed: observed({ ...on, updatedMachineCount: 1 }) }).done).toBe(false);
  });

  it('a node MCO reports Degraded on the target counts as failed, breaches the budget and brakes the pool', () => {
    const degraded = node('worker-1', {
      [NodeAnnotations.desiredConfig]: 'rendered-worker-new',
      [NodeAnnotations.currentConfig]: 'rendered-worker-old',
      [NodeAnnotations.state]: 'Degraded',
      [NodeAnnotations.reason]: 'failed to update OS',
    });
    const o = observed({
      targetConfig: 'rendered-worker-new',
      targetImage: IMAGE,
      layerImage: IMAGE,
      maxUnavailable: 2,
    });
    const p = pass({ observed: o, nodes: [node('worker-0'), degraded] });
    expect(p.next.failed).toEqual({ 'worker-1': `rendered-worker-new|${IMAGE}` });
    expect(p.notifyPlanner).toBe(true);
    expect(p.writes.before).toMatchObject({
      paused: true,
      annotations: { [PauseAnnotations.reason]: 'failure-budget' },
    });
  });

  it('no progress for the stall time says why, and with a degraded node stalls the pool', () => {
    const degraded = node('worker-1', {
      [NodeAnnotations.desiredConfig]: 'rendered-worker-new',
      [NodeAnnotations.state]: 'Degraded',
      [NodeAnnotations.reason]: 'boom',
    });
    const o = observed({
      targetConfig: 'rendered-worker-new',
      targetImage: IMAGE,
      layerImage: IMAGE,
      maxUnavailable: 2,
    });
    const rollout = {
      status: 'Progressing' as const,
      strategy: {
        waves: [],
        maxConcurrentClusters: 1,
        soakSeconds: 0,
        poolFailureBudget: 5,
        fleetFailureBudget: 5,
        onFailure: 'halt' as const,
      },
    };
    const first = pass({ observed: o, nodes: [degraded], rollout });
    expect(first.next.stalled).toBe(false);
    const later = pass({
      pool: first.next,
      observed: o,
      nodes: [degraded],
      rollout,
      now: new Date(NOW.getTime() + 601_000),
    });
    expect(later.next.stalled).toBe(true);
    expect(later.next.mco?.blocked).toBe('node worker-1 is Degraded: boom');
  });

  it("the track's progress deadline replaces the stall time; past it the blocker names what MCO waits on, node by node", () => {
    // MCO told worker-0 the target, which is Working on it; worker-1 waits its turn on the old config.
    const working = node('worker-0', {
      [NodeAnnotations.desiredConfig]: 'rendered-worker-new',
      [NodeAnnotations.currentConfig]: 'rendered-worker-old',
      [NodeAnnotations.state]: 'Working',
    });
    const waiting = node('worker-1', {
      [NodeAnnotations.desiredConfig]: 'rendered-worker-old',
      [NodeAnnotations.currentConfig]: 'rendered-worker-old',
      [NodeAnnotations.state]: 'Done',
    });
    const o = observed({
      targetConfig: 'rendered-worker-new',
      targetImage: IMAGE,
      layerImage: IMAGE,
      maxUnavailable: 2,
      updatedMachineCount: 0,
      unavailableMachineCount: 1,
    });
    const strategy = {
      waves: [],
      maxConcurrentClusters: 1,
      soakSeconds: 0,
      poolFailureBudget: 0,
      fleetFailureBudget: 0,
      onFailure: 'halt' as const,
      progressDeadlineSeconds: 120,
    };
    const rollout = { status: 'Progressing' as const, strategy };
    const first = pass({ observed: o, nodes: [working, waiting], rollout });
    const at = (seconds: number) => new Date(NOW.getTime() + seconds * 1000);
    // Before the deadline (and long before the deployment's 600 s): nothing to say.
    const early = pass({ pool: first.next, observed: o, nodes: [working, waiting], rollout, now: at(119) });
    expect(early.next.mco?.blocked).toBeUndefined();
    const late = pass({ pool: early.next, observed: o, nodes: [working, waiting], rollout, now: at(121) });
    const since = NOW.toISOString();
    expect(late.next.mco?.blocked).toBe(
      `waiting on MCO: 2 of 2 node(s) not updated to rendered-worker-new for over 2m (no change since ${since}); ` +
        `node worker-0 in state Working since ${since}; ` +
        `node worker-1 not picked yet (state Done on rendered-worker-old) since ${since}; ` +
        'MCO reports 0/2 updated, 1 unavailable, 0 degraded',
    );
    // No Degraded node: said, not stalled; and the same words pass after pass (the item is not rewritten).
    expect(late.next.stalled).toBe(false);
    const again = pass({ pool: late.next, observed: o, nodes: [working, waiting], rollout, now: at(300) });
    expect(again.next.mco?.blocked).toBe(late.next.mco?.blocked);
    expect(again.write).toBe(false);
    // Progress (worker-0 updated) restarts the clock and clears the blocker.
    const moved = node('worker-0', {
      ...working.annotations,
      [NodeAnnotations.currentConfig]: 'rendered-worker-new',
      [NodeAnnotations.state]: 'Done',
    });
    const after = pass({ pool: again.next, observed: o, nodes: [moved, waiting], rollout, now: at(301) });
    expect(after.next.mco?.blocked).toBeUndefined();
    expect(after.next.mco?.progress?.since).toBe(at(301).toISOString());
  });

  it('a pool without a target records its baseline once, then is not rewritten pass after pass', () => {
    const idle = newPool('c', 'worker', {}, NOW.toISOString(), 2);
    const first = pass({ pool: idle, rollout: undefined });
    expect(first.next.lastCompleted).toEqual({ config: 'rendered-worker-old', image: null });
    expect(first.write).toBe(true);
    const later = pass({ pool: first.next, rollout: undefined, now: new Date(NOW.getTime() + 60_000) });
    expect(later.write).toBe(false);
    expect(later.writes).toEqual({ before: null, layer: null, after: null, events: [] });
  });

  it('a target back to the base image deletes the image layer', () => {
    const p = pass({
      pool: targeted({ target: { config: 'rendered-worker-old', image: null, rolloutId: 'r1' } }),
      observed: observed({ layerImage: IMAGE, targetImage: IMAGE, maxUnavailable: 2 }),
    });
    expect(p.writes.layer).toBe('delete');
  });
});

describe('the prediction’s refusals', () => {
  it('4.16/4.17 with a node that has currentImage: refused with the reason; 4.18 is not', () => {
    const layered = node('worker-2', { [NodeAnnotations.currentImage]: IMAGE });
    expect(layeredRollbackTrap('4.16.9', [node('worker-0'), layered])).toMatch(
      /OpenShift 4\.16\.9: node\(s\) worker-2 carry a currentImage annotation.*not currently supported/,
    );
    expect(layeredRollbackTrap('4.17.1', [node('worker-0')])).toBeNull();
    expect(layeredRollbackTrap('4.18.12', [layered])).toBeNull();
  });

  it('a cluster without ControllerConfig cannot be predicted', () => {
    const out = prepareMcoTarget({
      pool: 'worker',
      sources: {
        pool: {
          apiVersion: 'machineconfiguration.openshift.io/v1',
          kind: 'MachineConfigPool',
          metadata: { name: 'worker' },
          spec: {},
        },
        machineConfigs: [],
      },
      controller: null,
      clusterVersion: null,
      nodes: [],
      image: IMAGE,
    });
    expect(out).toEqual({ refusal: expect.stringMatching(/no ControllerConfig machine-config-controller/) });
  });
});

describe('releasePatch', () => {
  it('restores the recorded maxUnavailable and lifts only Strata’s pause', () => {
    const strata = observed({
      paused: true,
      maxUnavailable: 1,
      annotations: { [PauseAnnotations.pausedBy]: 'strata', [OriginalMaxUnavailableAnnotation]: '"25%"' },
    });
    expect(releasePatch(strata, undefined)).toEqual({
      maxUnavailable: '25%',
      paused: false,
      annotations: {
        [OriginalMaxUnavailableAnnotation]: null,
        ...Object.fromEntries(Object.values(PauseAnnotations).map((k) => [k, null])),
      },
    });
    expect(releasePatch(observed({ paused: true }), undefined)).toBeNull();
  });
});
