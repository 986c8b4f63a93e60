import { describe, expect, it } from 'vitest';
import {
  clusterDrift,
  type DriftPool,
  nodeDrift,
  pausedDrift,
  renderedDrift,
} from '../../../functions/core/checks/index.ts';
import { NodeAnnotations as A, AgentAnnotations } from '../../../functions/core/model.ts';
import type { NodeFacts } from '../../../functions/core/rollout/node-facts.ts';

const T = { config: 'rendered-worker-new', image: 'quay.io/acme/os@sha256:new' };
const OLD = { config: 'rendered-worker-old', image: 'quay.io/acme/os@sha256:old' };

function node(name: string, current: { config: string; image: string | null }, desired = current): NodeFacts {
  return {
    name,
    labels: { 'node-role.kubernetes.io/worker': '' },
    annotations: {
      [A.currentConfig]: current.config,
      [A.desiredConfig]: desired.config,
      ...(current.image ? { [A.currentImage]: current.image } : {}),
      ...(desired.image ? { [A.desiredImage]: desired.image } : {}),
      [A.state]: 'Done',
    },
    unschedulable: false,
    conditions: [{ type: 'Ready', status: 'True' }],
    creationTimestamp: '2026-01-01T00:00:00Z',
  };
}

const pool = (over: Partial<DriftPool> = {}): DriftPool => ({
  name: 'worker',
  nodeSelector: { 'node-role.kubernetes.io/worker': '' },
  target: T,
  lastCompleted: T,
  reached: true,
  moving: false,
  ...over,
});

describe('nodeDrift', () => {
  it("reads a pool the Strata agent moves by the agent's annotations: its target is the image", () => {
    const agentNode = (name: string, current: string, desired?: string): NodeFacts => ({
      ...node(name, T),
      annotations: {
        [AgentAnnotations.currentImage]: current,
        [AgentAnnotations.state]: 'Done',
        ...(desired ? { [AgentAnnotations.desiredImage]: desired } : {}),
      },
    });
    const image = { config: '', image: T.image };
    const findings = nodeDrift('c', pool({ target: image, lastCompleted: image }), [
      agentNode('a', T.image),
      agentNode('b', OLD.image),
      agentNode('d', T.image, 'quay.io/acme/os@sha256:hand'),
    ]);
    expect(findings.map((f) => [f.subject, f.kind, f.actual])).toEqual([
      ['b', 'node-image', OLD.image],
      ['d', 'node-desired-config', 'quay.io/acme/os@sha256:hand'],
    ]);
  });

  it('finds nothing when every node runs the target', () => {
    expect(nodeDrift('c', pool(), [node('a', T), node('b', T)])).toEqual([]);
  });

  it('finds a node on another config, another image, or told to move elsewhere, each with its cause', () => {
    const findings = nodeDrift('c', pool(), [
      node('a', OLD),
      node('b', { config: T.config, image: 'quay.io/acme/os@sha256:hand' }),
      node('d', T, { config: 'rendered-worker-hand', image: T.image }),
    ]);
    expect(findings.map((f) => [f.subject, f.kind, f.expected, f.actual])).toEqual([
      ['a', 'node-config', T.config, OLD.config],
      ['b', 'node-image', T.image, 'quay.io/acme/os@sha256:hand'],
      ['d', 'node-desired-config', T.config, 'rendered-worker-hand'],
    ]);
    expect(findings[0]!.cause).toMatch(/no rollout is moving it/);
  });

  it('says nothing while a rollout moves the pool, or before any rollout targeted it', () => {
    expect(nodeDrift('c', pool({ moving: true }), [node('a', OLD)])).toEqual([]);
    expect(nodeDrift('c', pool({ target: null, lastCompleted: null }), [node('a', OLD)])).toEqual([]);
  });

  it('accepts the previous config in a pool whose halted rollout did not reach its target', () => {
    const halted = pool({ reached: false, lastCompleted: OLD });
    expect(nodeDrift('c', halted, [node('a', OLD), node('b', T)])).toEqual([]);
    expect(nodeDrift('c', halted, [node('x', { config: 'rendered-worker-x', image: null })])).toHaveLength(1);
  });
});

describe('renderedDrift and pausedDrift', () => {
  it('finds a rendered config missing or edited in the cluster', () => {
    expect(renderedDrift('c', pool(), {})).toMatchObject([
      { kind: 'rendered-config-missing', subject: T.config },
    ]);
    expect(
      renderedDrift('c', pool(), { [T.config]: { name: T.config, contentName: 'rendered-worker-edited' } }),
    ).toMatchObject([{ kind: 'rendered-config-modified', actual: 'rendered-worker-edited' }]);
    expect(renderedDrift('c', pool(), { [T.config]: { name: T.config, contentName: T.config } })).toEqual([]);
  });

  it('finds a pool paused by hand, not one Strata paused', () => {
    expect(pausedDrift('c', pool(), { paused: true, byStrata: false })).toMatchObject([
      { kind: 'pool-paused' },
    ]);
    expect(pausedDrift('c', pool(), { paused: true, byStrata: true })).toEqual([]);
    expect(pausedDrift('c', pool(), { paused: false, byStrata: false })).toEqual([]);
  });
});

describe('clusterDrift', () => {
  it('assigns nodes to their primary pool and sorts findings', () => {
    const infra = pool({ name: 'infra', nodeSelector: { 'node-role.kubernetes.io/infra': '' } });
    const infraNode = {
      ...node('i1', OLD),
      labels: { 'node-role.kubernetes.io/worker': '', 'node-role.kubernetes.io/infra': '' },
    };
    const findings = clusterDrift({
      clusterId: 'c',
      pools: [pool(), infra],
      nodes: [node('w2', OLD), infraNode, node('w1', T)],
      machineConfigs: {
        paused: { worker: { paused: true, byStrata: false } },
        rendered: { [T.config]: { name: T.config, contentName: T.config } },
      },
    });
    expect(findings.map((f) => [f.pool, f.kind, f.subject])).toEqual([
      ['infra', 'node-config', 'i1'],
      ['worker', 'node-config', 'w2'],
      ['worker', 'pool-paused', 'worker'],
    ]);
  });
});
