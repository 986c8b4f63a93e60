import { describe, expect, it } from 'vitest';
import { AgentAnnotations as A } from '../../../functions/core/model.ts';
import {
  agentNodes,
  agentPhase,
  imageTarget,
  type NodeFacts,
  planPool,
} from '../../../functions/core/rollout/index.ts';

const OLD = `quay.io/acme/os@sha256:${'0'.repeat(64)}`;
const NEW = `quay.io/acme/os@sha256:${'1'.repeat(64)}`;
const NOW = '2026-01-01T01:00:00.000Z';

function agentNode(name: string, annotations: Record<string, string>, unschedulable = false): NodeFacts {
  return {
    name,
    labels: {},
    annotations: { [A.currentImage]: OLD, ...annotations },
    unschedulable,
    conditions: [{ type: 'Ready', status: 'True' }],
    creationTimestamp: '2026-01-01T00:00:00Z',
  };
}
const done = (name: string) => agentNode(name, { [A.state]: 'Done', [A.stateImage]: OLD });
const plan = (nodes: NodeFacts[], slots: Record<string, string>, holds: ('paused' | 'halted')[] = []) =>
  planPool({
    nodes,
    target: imageTarget(NEW),
    maxUnavailable: 1,
    slots: Object.fromEntries(
      Object.entries(slots).map(([n, since]) => [n, { target: imageTarget(NEW), since }]),
    ),
    failed: {},
    holds,
    now: NOW,
    drainTimeoutSeconds: 600,
    driver: 'agent',
    updateTimeoutSeconds: 900,
  });

describe('the agent vocabulary', () => {
  it('reads where a node stands towards an image', () => {
    expect(agentPhase(done('n'), NEW)).toBe('pending');
    expect(
      agentPhase(agentNode('n', { [A.desiredImage]: NEW, [A.state]: 'Staging', [A.stateImage]: NEW }), NEW),
    ).toBe('staging');
    const staged = { [A.desiredImage]: NEW, [A.state]: 'Staged', [A.stateImage]: NEW };
    expect(agentPhase(agentNode('n', staged), NEW)).toBe('staged');
    expect(agentPhase(agentNode('n', { ...staged, [A.reboot]: NEW }), NEW)).toBe('reboot-requested');
    expect(agentNodes.isDone(done('n'))).toBe(true);
    expect(agentNodes.isTargeted(done('n'), imageTarget(OLD))).toBe(true);
  });
});

describe('agent slots', () => {
  it('a new start is told its image without a cordon; a staged node is drained, then asked to reboot', () => {
    const p = plan([done('n0'), done('n1')], {});
    expect(p.steps).toEqual([
      {
        node: 'n0',
        kind: 'prepare',
        target: imageTarget(NEW),
        drain: false,
        annotations: { [A.desiredImage]: NEW },
      },
    ]);
    const staged = agentNode('n0', {
      [A.desiredImage]: NEW,
      [A.state]: 'Staged',
      [A.stateImage]: NEW,
      [A.stateSince]: NOW,
    });
    expect(plan([staged, done('n1')], { n0: NOW }).steps).toEqual([
      {
        node: 'n0',
        kind: 'prepare',
        target: imageTarget(NEW),
        drain: true,
        annotations: { [A.reboot]: NEW },
      },
    ]);
  });

  it('a node Degraded while it serves fails with its reason and frees its slot; a cordoned one keeps it', () => {
    const degraded = {
      [A.desiredImage]: NEW,
      [A.state]: 'Degraded',
      [A.stateImage]: NEW,
      [A.reason]: 'pull failed: x',
    };
    const serving = plan([agentNode('n0', degraded), done('n1')], { n0: NOW });
    expect(serving.newlyFailed).toEqual(['n0']);
    expect(serving.failureReasons).toEqual({ n0: 'pull failed: x' });
    expect(serving.release).toEqual(['n0']);
    const cordoned = plan([agentNode('n0', degraded, true), done('n1')], { n0: NOW });
    expect(cordoned.release).toEqual([]);
    expect(cordoned.steps.map((s) => s.kind)).toEqual(['hold-failed']);
  });

  it('the update timeout fails a node whose agent never takes its image up', () => {
    const silent = agentNode('n0', { [A.desiredImage]: NEW, [A.state]: 'Done', [A.stateImage]: OLD });
    expect(plan([silent, done('n1')], { n0: '2026-01-01T00:50:00.000Z' }).newlyFailed).toEqual([]);
    const late = plan([silent, done('n1')], { n0: '2026-01-01T00:30:00.000Z' });
    expect(late.newlyFailed).toEqual(['n0']);
    expect(late.timedOut).toEqual(['n0']);
    expect(late.failureReasons.n0).toMatch(/^update timeout: the node agent did not take up/);
  });

  it('a pause holds told nodes (a cordoned one is uncordoned) and gives back the untold; a halt resets the told', () => {
    const staged = { [A.desiredImage]: NEW, [A.state]: 'Staged', [A.stateImage]: NEW, [A.stateSince]: NOW };
    const paused = plan([agentNode('n0', staged, true), done('n1')], { n0: NOW, n1: NOW }, ['paused']);
    expect(paused.steps).toEqual([{ node: 'n0', kind: 'uncordon', target: imageTarget(NEW) }]);
    expect(paused.held).toEqual(['n0']);
    expect(paused.givenBack).toEqual(['n1']);
    expect(paused.release).toEqual(['n1']);
    const halted = plan([agentNode('n0', staged, true)], { n0: NOW }, ['halted']);
    expect(halted.steps).toEqual([
      { node: 'n0', kind: 'uncordon', target: imageTarget(NEW), annotations: { [A.desiredImage]: OLD } },
    ]);
  });
});
