/**
 * Size limits of what requests may name. Every id and name ends up in a DynamoDB key (2,048 bytes for a
 * partition key, 1,024 for a sort key) or in an item (400 KB), and every list in a track or a cluster is
 * stored in one item; a request over a limit is refused with a 400/413 naming the limit before anything is
 * written, so that no limit of the table ever surfaces as a 500 (and no registry retries a 500 forever).
 * The limits are far above what a fleet needs and far below what the table allows.
 */

/** Cluster ids (DNS-subdomain-like, as Kubernetes names). */
export const MAX_CLUSTER_ID_LENGTH = 253;
/** Rollout ids: a track name (≤ 40) and a digest's hex (64), with room to spare. */
export const MAX_ROLLOUT_ID_LENGTH = 128;
/** Any other id in a path or query (track, pool, node names). Kubernetes names are ≤ 253. */
export const MAX_PATH_ID_LENGTH = 253;
/** Pool names: they become label keys (`node-role.kubernetes.io/<pool>`), whose name part is ≤ 63. */
export const MAX_POOL_NAME_LENGTH = 63;
/** Delivery ids and event ids of webhook deliveries (UUIDs and registry ids are ≤ 64). */
export const MAX_DELIVERY_ID_LENGTH = 256;
/** Distinct tags (host, repository, tag) one delivery may announce; duplicates count once. */
export const MAX_TAGS_PER_DELIVERY = 100;
/** Waves of a track's strategy. */
export const MAX_WAVES = 100;
/** Pools a track targets or a cluster registers. */
export const MAX_POOLS = 100;
/** Values of one `In`/`NotIn` selector expression, and expressions or labels of one selector. */
export const MAX_SELECTOR_ENTRIES = 100;
/** A label value (Kubernetes: ≤ 63 characters). */
export const MAX_LABEL_VALUE_LENGTH = 63;
/** Maintenance windows of one cluster. */
export const MAX_WINDOWS = 50;

/**
 * The table refused an item or a key for its size (DynamoDB: items ≤ 400 KB, partition keys ≤ 2,048
 * bytes, sort keys ≤ 1,024). Raised by the store adapter so that callers answer it as a request too large
 * (413) instead of a failure of Strata (500); the limits above keep requests from getting here.
 */
export class StoreLimitError extends Error {
  /** Which limit: the item's size or a key's. */
  readonly limit: 'item-size' | 'key-size';
  constructor(limit: StoreLimitError['limit'], message: string) {
    super(message);
    this.name = 'StoreLimitError';
    this.limit = limit;
  }
}
