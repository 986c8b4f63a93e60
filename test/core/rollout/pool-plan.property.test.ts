/**
 * Property tests of the pool planner: a pool of nodes whose daemons finish or fail at random, driven only
 * by the production pool transition (planPoolPass: planPool's decision applied to the pool's state, the
 * intent pool-reconcile writes), with the side effects of a pass cut short at random (a crash after the
 * intent write). The invariants must hold at every instant.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NodeAnnotations } from '../../../functions/core/model.ts';
import {
  isUnavailableForUpdate,
  isUpdated,
  type NodeFacts,
  newPool,
  type PoolRecord,
  type PoolTarget,
  planPool,
  planPoolPass,
  resolveMaxUnavailable,
  type Slot,
  targetKey,
} from '../../../functions/core/rollout/index.ts';
import { node } from './nodes.ts';

interface World {
  nodes: NodeFacts[];
  /** The pool item, as the last intent write left it. */
  pool: PoolRecord;
  slots: Record<string, Slot>;
  failed: Record<string, string>;
  starts: string[];
  maxUnavailableSeen: number;
}

const target: PoolTarget = { config: 'v1', image: 'quay.io/acme/os@sha256:1' };

function daemonTick(n: NodeFacts, rand: () => number, failing: ReadonlySet<string>): void {
  const a = n.annotations;
  if (
    a[NodeAnnotations.desiredConfig] === a[NodeAnnotations.currentConfig] &&
    a[NodeAnnotations.state] === 'Done'
  )
    return;
  if (a[NodeAnnotations.state] === 'Degraded') return;
  if (rand() < 0.5) {
    a[NodeAnnotations.state] = 'Working';
    return;
  }
  if (failing.has(n.name)) {
    a[NodeAnnotations.state] = 'Degraded';
    a[NodeAnnotations.reason] = 'rebase failed';
    return;
  }
  a[NodeAnnotations.currentConfig] = a[NodeAnnotations.desiredConfig]!;
  if (a[NodeAnnotations.desiredImage]) a[NodeAnnotations.currentImage] = a[NodeAnnotations.desiredImage]!;
  a[NodeAnnotations.state] = 'Done';
}

/** One reconcile pass: plan, write intent, then side effects that may stop early (crash). */
function pass(
  world: World,
  maxUnavailable: number | `${number}%`,
  rand: () => number,
  crashRate: number,
): void {
  // The production transition: the pool item's next state and the steps it allows.
  const { plan, next } = planPoolPass({
    pool: { ...world.pool, maxUnavailable },
    nodes: world.nodes,
    rolloutStatus: 'Progressing',
    windows: undefined,
    now: new Date('2026-01-01T00:00:00.000Z'),
    drainTimeoutSeconds: 600,
  });
  // Intent first (the conditional write always wins here: one reconcile at a time).
  world.pool = { ...next, version: world.pool.version + 1 };
  world.slots = world.pool.slots;
  world.failed = world.pool.failed;
  for (const name of plan.start) world.starts.push(`${name}|${targetKey(target)}`);
  // Then side effects, each of which may be the last before a crash.
  const byName = new Map(world.nodes.map((n) => [n.name, n]));
  for (const step of plan.steps) {
    if (rand() < crashRate) return;
    const n = byName.get(step.node)!;
    if (step.kind === 'prepare') {
      n.unschedulable = true;
      observe(world, maxUnavailable);
      if (rand() < crashRate) return;
      n.annotations[NodeAnnotations.desiredConfig] = step.target.config;
      if (step.target.image) n.annotations[NodeAnnotations.desiredImage] = step.target.image;
    } else if (step.kind === 'uncordon') {
      n.unschedulable = false;
    }
    observe(world, maxUnavailable);
  }
}

function observe(world: World, maxUnavailable: number | `${number}%`): void {
  const unavailable = world.nodes.filter(isUnavailableForUpdate).length;
  world.maxUnavailableSeen = Math.max(world.maxUnavailableSeen, unavailable);
  expect(unavailable).toBeLessThanOrEqual(resolveMaxUnavailable(maxUnavailable, world.nodes.length));
}

const scenario = fc.record({
  size: fc.integer({ min: 1, max: 12 }),
  maxUnavailable: fc.oneof(
    fc.integer({ min: 0, max: 5 }),
    fc.integer({ min: 1, max: 100 }).map((p) => `${p}%` as `${number}%`),
  ),
  failing: fc.array(fc.nat({ max: 11 }), { maxLength: 3 }),
  crashRate: fc.double({ min: 0, max: 0.4, noNaN: true }),
  seed: fc.integer(),
});

function world(size: number): World {
  const nodes = Array.from({ length: size }, (_, i) =>
    node(`n${String(i).padStart(2, '0')}`, {
      current: 'v0',
      desired: 'v0',
      state: 'Done',
      zone: `z${i % 3}`,
      created: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
    }),
  );
  const pool = newPool('c1', 'worker', {}, '2026-01-01T00:00:00.000Z');
  pool.target = { ...target, rolloutId: 'prod-v1' };
  return { nodes, pool, slots: pool.slots, failed: pool.failed, starts: [], maxUnavailableSeen: 0 };
}

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

describe('pool planner properties', () => {
  it('never more than maxUnavailable unavailable, never two starts of one node, all done without failures', () => {
    fc.assert(
      fc.property(scenario, ({ size, maxUnavailable, failing, crashRate, seed }) => {
        const w = world(size);
        const rand = rng(seed);
        const failingSet = new Set(failing.filter((i) => i < size).map((i) => w.nodes[i]!.name));
        for (let i = 0; i < 400; i++) {
          pass(w, maxUnavailable, rand, crashRate);
          for (const n of w.nodes) daemonTick(n, rand, failingSet);
          observe(w, maxUnavailable);
        }
        // Never two starts of one node for one target (so a degraded node is never started again for it).
        expect(new Set(w.starts).size).toBe(w.starts.length);
        if (failingSet.size === 0) {
          // Progress: everything updated and uncordoned, no slot left.
          for (let i = 0; i < 5; i++) pass(w, maxUnavailable, rand, 0);
          expect(w.nodes.every((n) => isUpdated(n, target) && !n.unschedulable)).toBe(true);
          expect(w.slots).toEqual({});
        } else {
          // Failed nodes stay recorded; nobody else is stuck cordoned without a slot.
          for (const name of failingSet) {
            if (w.starts.includes(`${name}|${targetKey(target)}`))
              expect(w.failed[name]).toBe(targetKey(target));
          }
          for (const n of w.nodes) if (n.unschedulable) expect(w.slots[n.name]).toBeDefined();
        }
      }),
      { numRuns: 150 },
    );
  });

  it('makes progress whenever progress is possible: a pass with free capacity starts a node', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 20 }), (size, max) => {
        const w = world(size);
        const plan = planPool({
          nodes: w.nodes,
          target,
          maxUnavailable: max,
          slots: {},
          failed: {},
          holds: [],
          now: '2026-01-01T00:00:00.000Z',
          drainTimeoutSeconds: 600,
        });
        expect(plan.start.length).toBe(Math.min(size, max));
      }),
    );
  });

  it('holds (paused, halted, window closed) start nothing but let nodes in flight finish', () => {
    const w = world(3);
    w.slots.n00 = { target, since: '2026-01-01T00:00:00.000Z' };
    w.nodes[0]!.unschedulable = true;
    const plan = planPool({
      nodes: w.nodes,
      target,
      maxUnavailable: 3,
      slots: w.slots,
      failed: {},
      holds: ['window-closed'],
      now: '2026-01-01T00:00:00.000Z',
      drainTimeoutSeconds: 600,
    });
    expect(plan.start).toEqual([]);
    expect(plan.steps).toEqual([
      {
        node: 'n00',
        kind: 'prepare',
        target,
        drain: true,
        annotations: {
          [NodeAnnotations.desiredConfig]: target.config,
          [NodeAnnotations.desiredImage]: target.image,
        },
      },
    ]);
  });

  it('a pause tells no node its target: a node cordoned but not yet told is given back', () => {
    // Prepare: n00 cordoned for its drain, n01 holding a slot but not cordoned yet, n02 already told.
    const w = world(3);
    for (const name of ['n00', 'n01', 'n02']) w.slots[name] = { target, since: '2026-01-01T00:00:00.000Z' };
    w.nodes[0]!.unschedulable = true;
    w.nodes[2]!.unschedulable = true;
    w.nodes[2]!.annotations[NodeAnnotations.desiredConfig] = target.config;
    w.nodes[2]!.annotations[NodeAnnotations.desiredImage] = target.image!;
    // Act
    const plan = planPool({
      nodes: w.nodes,
      target,
      maxUnavailable: 3,
      slots: w.slots,
      failed: {},
      holds: ['paused'],
      now: '2026-01-01T00:00:00.000Z',
      drainTimeoutSeconds: 600,
    });
    // Assess: n00 uncordoned, n01 freed, n02 (told) left to finish; nothing annotated.
    expect(plan.steps.map((s) => [s.node, s.kind])).toEqual([
      ['n00', 'uncordon'],
      ['n02', 'wait'],
    ]);
    expect(plan.release).toEqual(['n01']);
    expect(plan.givenBack).toEqual(['n00', 'n01']);
  });
});

describe('stall detection', () => {
  const failedSlot = (): Record<string, Slot> => ({
    n00: { target, since: '2026-01-01T00:00:00.000Z', failed: true },
  });
  const failedNodes = () => {
    const w = world(3);
    const n = w.nodes[0]!;
    n.unschedulable = true;
    n.annotations[NodeAnnotations.desiredConfig] = target.config;
    n.annotations[NodeAnnotations.desiredImage] = target.image!;
    n.annotations[NodeAnnotations.state] = 'Degraded';
    return w.nodes;
  };
  const plan = (maxUnavailable: number) =>
    planPool({
      nodes: failedNodes(),
      target,
      maxUnavailable,
      slots: failedSlot(),
      failed: { n00: targetKey(target) },
      holds: [],
      now: '2026-01-01T00:00:00.000Z',
      drainTimeoutSeconds: 600,
    });

  it('a failed node holding all of maxUnavailable while nodes still need the target is a stall', () => {
    const p = plan(1);
    expect(p.start).toEqual([]);
    expect(p.stalled).toBe(true);
    expect(p.done).toBe(false);
  });

  it('with capacity left, the pool goes on (not stalled)', () => {
    const p = plan(2);
    expect(p.start).toEqual(['n01']);
    expect(p.stalled).toBe(false);
  });
});
