import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiException, CoreV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { NodeAnnotations as A } from '../../functions/core/model.ts';
import { checkInvariants, type Fleet, type FleetOptions, startFleet } from '../../sim/index.ts';
import { newImage, smallScenario } from './support.ts';

const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

interface DriverOptions {
  /** Nodes updated at once. */
  batch: number;
  drain: boolean;
  uncordon: boolean;
}

/**
 * A deterministic rollout driver over the real API: batches of nodes in name order; cordon, drain through
 * the Eviction API (retrying 429s after 5 simulated seconds), set desiredConfig/desiredImage, wait for
 * Done/Degraded, uncordon.
 */
async function rollout(fleet: Fleet, options: DriverOptions): Promise<void> {
  const core = fleet.cluster('c1').kubeConfig().makeApiClient(CoreV1Api);
  const names = (await core.listNode()).items.map((n) => n.metadata!.name!);
  for (let i = 0; i < names.length; i += options.batch) {
    const batch = names.slice(i, i + options.batch);
    for (const name of batch) {
      await core.patchNode({ name, body: { spec: { unschedulable: true } } }, merge);
      if (!options.drain) continue;
      for (;;) {
        const pods = (
          await core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${name}` })
        ).items.filter((p) => p.metadata?.ownerReferences?.[0]?.kind !== 'DaemonSet');
        if (pods.length === 0) break;
        for (const pod of pods) {
          const { name: podName, namespace } = pod.metadata as { name: string; namespace: string };
          try {
            await core.createNamespacedPodEviction({
              name: podName,
              namespace,
              body: { metadata: { name: podName, namespace } },
            });
          } catch (error) {
            if (!(error instanceof ApiException) || error.code !== 429) throw error;
          }
        }
        await fleet.advance(5000);
      }
    }
    for (const name of batch)
      await core.patchNode(
        {
          name,
          body: {
            metadata: {
              annotations: { [A.desiredConfig]: 'rendered-worker-new', [A.desiredImage]: newImage },
            },
          },
        },
        merge,
      );
    for (let wait = 0; wait < 100; wait++) {
      await fleet.advance(5000);
      const states = await Promise.all(
        batch.map(async (name) => (await core.readNode({ name })).metadata?.annotations?.[A.state]),
      );
      if (states.every((s) => s === 'Done' || s === 'Degraded')) break;
    }
    if (options.uncordon)
      for (const name of batch)
        await core.patchNode({ name, body: { spec: { unschedulable: false } } }, merge);
  }
}

let fleet: Fleet | undefined;
afterEach(async () => {
  await fleet?.stop();
  fleet = undefined;
});

async function run(seed: number, driver: DriverOptions, options: FleetOptions = {}) {
  fleet = await startFleet(
    smallScenario({ seed, faults: { updateFailure: { nodes: [], probability: 0.3 } } }),
    {
      clock: 'manual',
      ...options,
    },
  );
  await rollout(fleet, driver);
  const result = {
    jsonl: fleet.timeline.toJsonl(),
    report: fleet.checkInvariants(),
    events: fleet.timeline.events,
  };
  await fleet.stop();
  fleet = undefined;
  return result;
}

const careful: DriverOptions = { batch: 1, drain: true, uncordon: true };

describe('timeline', () => {
  it('is identical for the same seed and a deterministic driver, timestamps included', async () => {
    const first = await run(5, careful);
    const second = await run(5, careful);
    const other = await run(6, careful);

    expect(second.jsonl).toBe(first.jsonl);
    expect(first.events.length).toBeGreaterThan(20);
    expect(other.jsonl).not.toBe(first.jsonl);
  });

  it('is written to a JSONL file as it happens', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'strata-sim-')), 'timeline.jsonl');
    const { jsonl } = await run(5, careful, { timelineFile: file });

    expect(readFileSync(file, 'utf8')).toBe(jsonl);
    const first = JSON.parse(jsonl.split('\n')[0]!);
    expect(Object.keys(first)).toEqual(
      expect.arrayContaining(['seq', 't', 'cluster', 'pool', 'node', 'kind']),
    );
  });
});

describe('checkInvariants', () => {
  it('passes a careful driver: one node at a time, drained, uncordoned', async () => {
    const { report } = await run(5, careful);

    expect(report.violations).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.pools).toEqual([{ cluster: 'c1', pool: 'worker', maxUnavailable: 1, peakUnavailable: 1 }]);
  });

  it('catches a driver that updates two nodes at once without draining and leaves them cordoned', async () => {
    const { report } = await run(5, { batch: 2, drain: false, uncordon: false });

    const kinds = new Set(report.violations.map((v) => v.kind));
    expect(kinds).toEqual(new Set(['max-unavailable', 'not-drained', 'left-cordoned']));
    // Never uncordoned: every node of the pool ends up unavailable.
    expect(report.pools[0]!.peakUnavailable).toBe(4);
    const overLimit = report.violations.find((v) => v.kind === 'max-unavailable')!;
    expect(overLimit.detail).toBe('2 nodes unavailable at once in pool worker, maxUnavailable 1');
    expect(report.ok).toBe(false);
  });

  it('counts NotReady nodes made by faults without blaming the driver', () => {
    const base = { cluster: 'c1', pool: 'worker' };
    const report = checkInvariants(
      [
        { seq: 0, t: 0, ...base, node: 'a', kind: 'cordon' },
        { seq: 1, t: 1, ...base, node: 'b', kind: 'not-ready', fault: true },
        { seq: 2, t: 2, ...base, node: 'b', kind: 'ready', fault: true },
        { seq: 3, t: 3, ...base, node: 'a', kind: 'uncordon' },
        { seq: 4, t: 4, ...base, node: 'b', kind: 'cordon' },
        { seq: 5, t: 5, ...base, node: 'c', kind: 'cordon' },
        { seq: 6, t: 6, ...base, node: 'b', kind: 'uncordon' },
        { seq: 7, t: 7, ...base, node: 'c', kind: 'uncordon' },
      ],
      [{ cluster: 'c1', pool: 'worker', maxUnavailable: 1 }],
    );

    expect(report.pools[0]!.peakUnavailable).toBe(2);
    expect(report.violations.map((v) => [v.kind, v.node, v.seq])).toEqual([['max-unavailable', 'c', 5]]);
  });
});
