/**
 * Build items (docs/store.md): `BUILD#<id>` / `META`, listed per track through gsi1 (`TRACKBUILDS#<track>`)
 * and all of them through gsi2 (`BUILDS`), oldest first. Creation is idempotent by key (one build per
 * track, revision, base and architecture); every update is conditional on `version`.
 */
import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { BuildRecord } from '../../core/builds/index.ts';
import type { BuildStore } from '../../core/stores.ts';
import { isConditionFailed, type StoreContext } from './context.ts';
import { queryAll } from './query.ts';
import { putIfVersion } from './versioned.ts';

/** Key of a build. */
export function buildKey(id: string): { pk: string; sk: string } {
  return { pk: `BUILD#${id}`, sk: 'META' };
}

function toItem(build: BuildRecord): Record<string, unknown> {
  return {
    ...buildKey(build.id),
    type: 'Build',
    gsi1pk: `TRACKBUILDS#${build.track}`,
    gsi1sk: `${build.createdAt}#${build.id}`,
    gsi2pk: 'BUILDS',
    gsi2sk: `${build.createdAt}#${build.id}`,
    ...build,
  };
}

function fromItem(item: Record<string, unknown>): BuildRecord {
  const { pk: _pk, sk: _sk, type: _type, gsi1pk: _a, gsi1sk: _b, gsi2pk: _c, gsi2sk: _d, ...rest } = item;
  return rest as unknown as BuildRecord;
}

/** The build store port (core/stores.ts) on one table. */
export function buildStore(store: StoreContext): BuildStore {
  const get = async (id: string) => {
    const out = await store.doc.send(
      new GetCommand({ TableName: store.tableName, Key: buildKey(id), ConsistentRead: true }),
    );
    return out.Item ? fromItem(out.Item) : null;
  };
  return {
    async createBuild(build) {
      try {
        await store.doc.send(
          new PutCommand({
            TableName: store.tableName,
            Item: toItem({ ...build, version: 1 }),
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
        return true;
      } catch (error) {
        if (isConditionFailed(error)) return false;
        throw error;
      }
    },
    getBuild: get,
    async putBuildIfVersion(next, expectedVersion) {
      await putIfVersion(store, toItem(next), expectedVersion, `build ${next.id}`);
      return { ...next, version: expectedVersion + 1 };
    },
    async listBuildsByTrack(track) {
      const items = await queryAll(store, { index: 'gsi1', partition: `TRACKBUILDS#${track}` });
      return items.map(fromItem);
    },
    async listBuilds() {
      return (await queryAll(store, { index: 'gsi2', partition: 'BUILDS' })).map(fromItem);
    },
    async deleteBuild(id) {
      await store.doc.send(new DeleteCommand({ TableName: store.tableName, Key: buildKey(id) }));
    },
  };
}
