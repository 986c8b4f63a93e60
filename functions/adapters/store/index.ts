/**
 * The store ports of core/stores.ts on the one DynamoDB table (keys in docs/store.md): one factory per port
 * in its module, and all of them together. Each module also exports its functions over a
 * {@link StoreContext}, which tests and the embedded runtime use directly.
 */
import type { Stores } from '../../core/stores.ts';
import { buildStore } from './builds.ts';
import { checkStore } from './checks.ts';
import type { StoreContext } from './context.ts';
import { auditLog } from './events.ts';
import { clusterHealthStore } from './health.ts';
import { nodeHistoryStore } from './history.ts';
import { poolStore } from './pools.ts';
import { clusterStore } from './registry.ts';
import { renderedLog } from './rendered.ts';
import { createRolloutStore } from './rollouts.ts';
import { deliveryClaims, pushClaims, trackStore } from './tracks.ts';

export type { StoreContext } from './context.ts';
export { createDocumentClient, TableKeys, tableDefinition } from './table.ts';

/** Every store port, bound to one table. */
export function dynamoStores(store: StoreContext): Stores {
  return {
    pools: poolStore(store),
    rollouts: createRolloutStore(store),
    events: auditLog(store),
    tracks: trackStore(store),
    clusters: clusterStore(store),
    checks: checkStore(store),
    deliveries: deliveryClaims(store),
    pushes: pushClaims(store),
    rendered: renderedLog(store),
    history: nodeHistoryStore(store),
    health: clusterHealthStore(store),
    builds: buildStore(store),
  };
}
