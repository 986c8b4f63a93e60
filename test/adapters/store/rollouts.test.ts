import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRolloutStore } from '../../../functions/adapters/store/rollouts.ts';
import { type RolloutRecord, rolloutId } from '../../../functions/core/model.ts';
import { VersionConflictError } from '../../../functions/core/retry.ts';
import type { RolloutStore } from '../../../functions/core/stores.ts';
import { startTestTable, type TestTable } from '../../support/dynalite.ts';

function record(track: string, digest: string, createdAt: string): RolloutRecord {
  return {
    id: rolloutId(track, digest),
    track,
    image: { host: 'quay.io', repository: 'acme/os', digest },
    strategy: {
      waves: [{ name: 'canary', count: 1 }],
      maxConcurrentClusters: 2,
      soakSeconds: 60,
      poolFailureBudget: 0,
      fleetFailureBudget: '10%',
      onFailure: 'halt',
    },
    targets: { clusterSelector: { matchLabels: { env: 'prod' } }, pools: ['worker'] },
    status: 'Pending',
    cause: 'quay',
    createdAt,
    version: 1,
  };
}

const digestA = `sha256:${'a'.repeat(64)}`;
const digestB = `sha256:${'b'.repeat(64)}`;

describe('rollout store on dynalite', () => {
  let table: TestTable;
  let rollouts: RolloutStore;
  beforeAll(async () => {
    table = await startTestTable();
    rollouts = createRolloutStore({ doc: table.doc, tableName: table.tableName });
  });
  afterAll(async () => table.close());

  it('creates a rollout once per (track, digest) and keeps the first record', async () => {
    // Prepare
    const first = record('prod', digestA, '2026-01-01T00:00:00.000Z');
    const again = { ...first, cause: 'cli', createdAt: '2026-01-02T00:00:00.000Z' };
    // Act
    const a = await rollouts.createRollout(first);
    const b = await rollouts.createRollout(again);
    // Assess
    expect(a).toEqual({ created: true });
    expect(b).toEqual({ created: false });
    expect(await rollouts.getRollout(first.id)).toEqual(first);
  });

  it('returns null for an unknown rollout', async () => {
    expect(await rollouts.getRollout('nope-000000000000')).toBeNull();
  });

  it('updates only from the current version', async () => {
    // Prepare
    const r = record('stage', digestA, '2026-01-01T00:00:00.000Z');
    await rollouts.createRollout(r);
    // Act
    const next = await rollouts.putRolloutIfVersion({ ...r, status: 'Progressing' }, 1);
    // Assess
    expect(next.version).toBe(2);
    await expect(rollouts.putRolloutIfVersion({ ...r, status: 'Aborted' }, 1)).rejects.toBeInstanceOf(
      VersionConflictError,
    );
    expect(await rollouts.getRollout(r.id)).toMatchObject({ status: 'Progressing', version: 2 });
  });

  it('lists rollouts of a track in creation order', async () => {
    // Prepare
    await rollouts.createRollout(record('dev', digestB, '2026-01-03T00:00:00.000Z'));
    await rollouts.createRollout(record('dev', digestA, '2026-01-02T00:00:00.000Z'));
    // Act
    const list = await rollouts.listRolloutsByTrack('dev');
    // Assess
    expect(list.map((r) => r.image.digest)).toEqual([digestA, digestB]);
  });
});
