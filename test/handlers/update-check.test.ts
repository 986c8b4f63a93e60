/**
 * The update-check function's own behaviour on dynalite: the tick fans out one message per track and per
 * cluster (or only the track asked for), forgets the check items of deleted tracks, drops invalid
 * messages with a reason, and a check of a deleted track removes its item. Registry behaviour is covered
 * on a real registry in test/checks/.
 */
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createClusterConnector } from '../../functions/adapters/cluster/connector.ts';
import { createCredentialsResolver } from '../../functions/adapters/cluster/credentials.ts';
import { logOnlyPublisher } from '../../functions/adapters/events/publisher.ts';
import { createCheckRegistry } from '../../functions/adapters/registry/check-registry.ts';
import { staticCredentials } from '../../functions/adapters/registry/index.ts';
import { staticTokens } from '../../functions/adapters/secrets/tokens.ts';
import { getClusterDrift, getTrackCheck, saveTrackCheck } from '../../functions/adapters/store/checks.ts';
import type { StoreContext } from '../../functions/adapters/store/context.ts';
import { dynamoStores } from '../../functions/adapters/store/index.ts';
import { registerClusterWithPools } from '../../functions/adapters/store/registry.ts';
import { deleteTrack, saveTrack } from '../../functions/adapters/store/tracks.ts';
import { emptyCheck } from '../../functions/core/checks/track-check.ts';
import type { ImagePushed } from '../../functions/core/model.ts';
import type { CheckQueueMessage } from '../../functions/core/ports.ts';
import { parseTrack } from '../../functions/core/tracks/parse.ts';
import { runCheckTick } from '../../functions/handlers/update-check/tick.ts';
import {
  createUpdateCheckHandler,
  processCheckMessage,
  type UpdateCheckDeps,
} from '../../functions/handlers/update-check.ts';
import { startTestTable, type TestTable } from '../support/dynalite.ts';
import { RecordingQueue } from '../support/registry.ts';

let table: TestTable;
let store: StoreContext;
let deps: UpdateCheckDeps;
let checkQueue: RecordingQueue<CheckQueueMessage>;
let warnings: Record<string, unknown>[];

beforeAll(async () => {
  table = await startTestTable();
  store = { doc: table.doc, tableName: table.tableName };
  for (const name of ['alpha', 'beta']) {
    await saveTrack(store, parseTrack({ name, image: `quay.io/acme/${name}:prod` }, 'test'));
  }
  await registerClusterWithPools(
    store,
    {
      id: 'east',
      endpoint: 'https://127.0.0.1:1',
      credentials: { kind: 'token-secret', secretName: 'east' },
      labels: {},
      pools: [{ name: 'worker', nodeSelector: { 'node-role.kubernetes.io/worker': '' } }],
    },
    new Date('2026-01-01T00:00:00Z'),
  );
});
afterAll(async () => table?.close());

beforeEach(() => {
  checkQueue = new RecordingQueue<CheckQueueMessage>();
  warnings = [];
  deps = {
    stores: dynamoStores(store),
    ...createCheckRegistry(staticCredentials({ registries: {} })),
    imageQueue: new RecordingQueue<ImagePushed>(),
    checkQueue,
    publisher: logOnlyPublisher,
    clusters: createClusterConnector(
      { doc: table.doc, tableName: table.tableName },
      createCredentialsResolver(staticTokens({})),
    ),
    log: (line) => {
      if (line.level === 'WARN') warnings.push(line);
    },
  };
});

const checkedBefore = (track: string) => ({ ...emptyCheck(track), lastCheckedAt: '2026-01-01T00:00:00Z' });

describe('the update-check tick', () => {
  it('fans out one message per track and one drift check per cluster, all of one cycle', async () => {
    // Act
    const outcome = await createUpdateCheckHandler(deps)(
      { source: 'aws.scheduler', 'detail-type': 'Scheduled Event' } as never,
      {} as Context,
    );
    // Assess
    const cycle = (outcome as { cycle: string }).cycle;
    expect(checkQueue.bodies).toEqual([
      { kind: 'track', track: 'alpha', cycle },
      { kind: 'track', track: 'beta', cycle },
      { kind: 'drift', clusterId: 'east', cycle },
    ]);
  });

  it('sends only the tracks asked for, without drift checks', async () => {
    const outcome = await runCheckTick(deps, { tracks: ['beta'] });
    expect(checkQueue.bodies).toEqual([{ kind: 'track', track: 'beta', cycle: outcome.cycle }]);
  });

  it('forgets the check items of tracks that were deleted', async () => {
    // Prepare
    await saveTrack(store, parseTrack({ name: 'gone', image: 'quay.io/acme/gone:prod' }, 'test'));
    await saveTrackCheck(store, checkedBefore('gone'));
    await deleteTrack(store, 'gone');
    // Act
    const outcome = await runCheckTick(deps);
    // Assess
    expect(outcome.forgotten).toEqual(['gone']);
    expect(await getTrackCheck(store, 'gone')).toBeNull();
  });
});

describe('the check-queue consumer', () => {
  it('drops invalid messages with a reason naming the field', async () => {
    expect(await processCheckMessage(deps, { kind: 'track', cycle: 'c' })).toEqual({
      outcome: 'invalid',
      reason: 'check queue message: track: Invalid input: expected string, received undefined',
    });
    expect(await processCheckMessage(deps, { kind: 'nudge', track: 'alpha', cycle: 'c' })).toMatchObject({
      outcome: 'invalid',
      reason: expect.stringMatching(/^check queue message: kind: /),
    });
    expect(warnings).toHaveLength(2);
  });

  it('removes the check item of a track deleted before its check ran', async () => {
    await saveTrackCheck(store, checkedBefore('late'));
    expect(await processCheckMessage(deps, { kind: 'track', track: 'late', cycle: 'c' })).toEqual({
      outcome: 'gone',
      track: 'late',
    });
    expect(await getTrackCheck(store, 'late')).toBeNull();
  });

  it('records a drift check that cannot reach its cluster on the cluster, other messages unaffected', async () => {
    // Prepare: the cluster's endpoint refuses connections; a deleted track's check succeeds.
    const handler = createUpdateCheckHandler(deps);
    const record = (body: unknown, id: string) => ({
      messageId: id,
      receiptHandle: 'r',
      body: JSON.stringify(body),
      attributes: {} as never,
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:check',
      awsRegion: 'us-east-1',
    });
    // Act
    const out = await handler(
      {
        Records: [
          record({ kind: 'drift', clusterId: 'east', cycle: 'c' }, 'drift'),
          record({ kind: 'track', track: 'nothing-here', cycle: 'c' }, 'track'),
        ],
      },
      { functionName: 'update-check' } as Context,
    );
    // Assess: nothing to retry before the next cycle; the error is on the cluster's drift item.
    expect(out).toEqual({ batchItemFailures: [] });
    const drift = await getClusterDrift(store, 'east');
    expect(drift).toMatchObject({ clusterId: 'east', findings: [] });
    expect(drift?.error).toMatch(/east/);
  });
});
