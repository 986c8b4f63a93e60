import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoreContext } from '../../functions/adapters/store/context.ts';
import { listEvents } from '../../functions/adapters/store/events.ts';
import { dynamoStores } from '../../functions/adapters/store/index.ts';
import { controlRollout } from '../../functions/adapters/store/rollout-control.ts';
import { createRollout, getRollout } from '../../functions/adapters/store/rollouts.ts';
import type { RolloutRecord } from '../../functions/core/model.ts';
import type { PlanRolloutMessage } from '../../functions/core/ports.ts';
import { InvalidTransitionError, NotFoundError } from '../../functions/core/rollout/index.ts';
import { startTestTable, type TestTable } from '../support/dynalite.ts';

const record = (id: string, status: RolloutRecord['status']): RolloutRecord => ({
  id,
  track: 'prod',
  image: { host: 'quay.io', repository: 'acme/os', digest: `sha256:${'a'.repeat(64)}` },
  strategy: {
    waves: [],
    maxConcurrentClusters: 1,
    soakSeconds: 0,
    poolFailureBudget: 0,
    fleetFailureBudget: 0,
    onFailure: 'halt',
  },
  targets: { clusterSelector: {}, pools: ['worker'] },
  status,
  cause: 'test',
  createdAt: '2026-01-01T00:00:00.000Z',
  version: 1,
});

describe('manual rollout controls', () => {
  let table: TestTable;
  let store: StoreContext;
  const plan: PlanRolloutMessage[] = [];
  const deps = () => ({
    stores: dynamoStores(store),
    planQueue: { send: async (m: PlanRolloutMessage) => void plan.push(m) },
    reconcileQueue: { send: async () => {} },
  });
  beforeAll(async () => {
    table = await startTestTable();
    store = { doc: table.doc, tableName: table.tableName };
  });
  afterAll(async () => table.close());

  it('pause then resume: status, audit events and a plan message each', async () => {
    await createRollout(store, record('r1', 'Progressing'));
    await controlRollout(deps(), 'r1', 'pause');
    expect((await getRollout(store, 'r1'))!.status).toBe('Paused');
    await controlRollout(deps(), 'r1', 'resume');
    expect((await getRollout(store, 'r1'))!).toMatchObject({ status: 'Progressing', version: 3 });
    expect((await listEvents(store, 'r1')).map((e) => e.kind).sort()).toEqual(['Paused', 'Resumed']);
    expect(plan.filter((m) => m.rolloutId === 'r1')).toHaveLength(2);
  });

  it('refuses a transition the status does not allow, naming rollout, status and action, and changes nothing', async () => {
    await createRollout(store, record('r2', 'Completed'));
    await expect(controlRollout(deps(), 'r2', 'pause')).rejects.toThrow(InvalidTransitionError);
    await expect(controlRollout(deps(), 'r2', 'resume')).rejects.toThrow(
      /rollout r2: cannot resume a rollout that is Completed/,
    );
    expect((await getRollout(store, 'r2'))!).toMatchObject({ status: 'Completed', version: 1 });
  });

  it('an unknown rollout is NotFound', async () => {
    await expect(controlRollout(deps(), 'nope', 'abort')).rejects.toThrow(NotFoundError);
  });
});
