/**
 * Every message Strata's queues carry, defined once: a zod schema per message (what a consumer accepts) and
 * its type derived from it. Producers build these types; consumers parse bodies with the schemas, and a
 * body that does not parse is dropped with a reason naming the field ({@link parseMessage}): retrying
 * cannot fix it.
 */
import * as z from 'zod';
import { ObservedNodeSchema } from './history/observed-node.ts';
import { SHA256_DIGEST } from './ingress/media-types.ts';

/**
 * Image queue: a push of a tagged image, normalised from any registry's notification (or sent by the CLI
 * and the update check). image-push resolves the tag itself and matches it against tracks.
 */
export const ImagePushedSchema = z.object({
  /** Which receiver produced it: `distribution`, `harbor`, `quay`, `dockerhub`, `github`, `acr`, `jfrog`, `gar`, `ecr`, `cli`, `update-check`. */
  source: z.string().min(1),
  host: z.string().min(1),
  repository: z.string().min(1),
  tag: z.string().min(1),
  /** Digest the notification claimed, if any. Strata re-resolves the tag itself and trusts the registry. */
  digestHint: z.string().regex(SHA256_DIGEST).nullable(),
  /** Delivery or event id from the source, when it has one (replay protection). */
  eventId: z.string().nullable(),
  /** ISO time the event was received. */
  receivedAt: z.string(),
});
/** A push of a tagged image (image queue). */
export type ImagePushed = z.infer<typeof ImagePushedSchema>;

/** Plan queue: a rollout was created or changed; plan its next wave. Carries only the key. */
export const PlanRolloutMessageSchema = z.object({ rolloutId: z.string().min(1) });
export type PlanRolloutMessage = z.infer<typeof PlanRolloutMessageSchema>;

/**
 * Reconcile queue: reconcile one pool of one cluster. Carries the key (level-triggered) and, on the pool's
 * own delayed reconcile, `poll`: the due time the pool item records for its one poll chain
 * (core/rollout/poll-chain.ts).
 */
export const ReconcilePoolMessageSchema = z.object({
  clusterId: z.string().min(1),
  pool: z.string().min(1),
  poll: z.string().min(1).optional(),
});
export type ReconcilePoolMessage = z.infer<typeof ReconcilePoolMessageSchema>;

/**
 * Cluster-event queue: a compact change notice from a cluster's watch relay. It says only what changed;
 * node-state maps it to the pool to reconcile, and the reconcile re-reads the cluster.
 */
export const ClusterEventMessageSchema = z.object({
  clusterId: z.string().min(1),
  kind: z.enum(['Node', 'MachineConfigPool']),
  name: z.string().min(1),
  eventType: z.enum(['ADDED', 'MODIFIED', 'DELETED']),
  /** The object's labels (nodes: to find their pool without another API call). */
  labels: z.record(z.string(), z.string()).optional(),
  resourceVersion: z.string().optional(),
  /** A node's facts its update history is derived from (core/history); absent from older relays. */
  node: ObservedNodeSchema.optional(),
  /**
   * false: the change needs no decision (only the node's history), e.g. the echo of a target Strata wrote;
   * no reconcile is enqueued for it. Absent (older relays): it does.
   */
  decide: z.boolean().optional(),
  /**
   * Where a node's change stands in its relay's order (core/history/ordered.ts): the relay's run and the
   * count of this node's changes in it. Absent from older relays (their changes apply as they arrive).
   */
  order: z.object({ run: z.string().min(1), n: z.number().int().positive() }).optional(),
  /** ISO time the relay saw the change. */
  observedAt: z.string(),
});
export type ClusterEventMessage = z.infer<typeof ClusterEventMessageSchema>;

/**
 * Check queue: one update check of one track (re-resolve its tag, its base image) or the drift check of one
 * cluster, fanned out by the update-check tick so that one slow registry or cluster holds up nothing else.
 * `cycle` names the tick that sent it (logs, and requests counted per cycle).
 */
export const CheckQueueMessageSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('track'), track: z.string().min(1), cycle: z.string().min(1) }),
  z.strictObject({ kind: z.literal('drift'), clusterId: z.string().min(1), cycle: z.string().min(1) }),
]);
export type CheckQueueMessage = z.infer<typeof CheckQueueMessageSchema>;

/** A parsed message, or why the body is not one. */
export type ParsedMessage<T> = { ok: true; message: T } | { ok: false; reason: string };

/**
 * Parses a queue body with its schema. On failure the reason names the message and the first bad field:
 * `image queue message: digestHint: Invalid string: must match pattern …`.
 */
export function parseMessage<T>(schema: z.ZodType<T>, body: unknown, what: string): ParsedMessage<T> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return { ok: true, message: parsed.data };
  const issue = parsed.error.issues[0]!;
  return { ok: false, reason: `${what}: ${issue.path.join('.') || '(body)'}: ${issue.message}` };
}
