/**
 * Request bodies and query strings of the admin API, validated with zod. Errors name the field
 * (`body.pools[0].name`), so a CLI user sees exactly what to fix.
 */
import * as z from 'zod';
import {
  type ClusterRegistration,
  type CredentialsRef,
  clusterTokenSecretName,
  defaultNodeSelector,
} from '../clusters.ts';
import { parseImageReference } from '../ingress/reference.ts';
import {
  MAX_CLUSTER_ID_LENGTH,
  MAX_LABEL_VALUE_LENGTH,
  MAX_PATH_ID_LENGTH,
  MAX_POOL_NAME_LENGTH,
  MAX_POOLS,
  MAX_SELECTOR_ENTRIES,
  MAX_WINDOWS,
} from '../limits.ts';
import type { ImagePushed } from '../messages.ts';
import { rolloutId } from '../model.ts';
import { isTimeZone } from '../rollout/windows.ts';
import { IntOrPercentSchema, LabelSelectorSchema } from '../tracks/schema.ts';
import { AdminRequestError } from './errors.ts';

const CLUSTER_ID = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const DIGEST = /^sha256:[0-9a-f]{64}$/;

const poolName = z.string().min(1).max(MAX_POOL_NAME_LENGTH, `at most ${MAX_POOL_NAME_LENGTH} characters`);

/** Labels (`key: value`): at most {@link MAX_SELECTOR_ENTRIES}, values as Kubernetes allows them. */
const Labels = z
  .record(
    z.string().max(316, 'label keys have at most 316 characters'),
    z.string().max(MAX_LABEL_VALUE_LENGTH, `label values have at most ${MAX_LABEL_VALUE_LENGTH} characters`),
  )
  .refine((labels) => Object.keys(labels).length <= MAX_SELECTOR_ENTRIES, {
    message: `at most ${MAX_SELECTOR_ENTRIES} labels`,
  });

/** A pool: its name (its nodes carry `node-role.kubernetes.io/<name>`), or the name and its selector. */
const PoolSchema = z.preprocess(
  (value) => (typeof value === 'string' ? { name: value } : value),
  z.strictObject({
    name: poolName,
    nodeSelector: Labels.optional(),
    maxUnavailable: IntOrPercentSchema.optional(),
  }),
);

const WindowSchema = z.strictObject({
  cron: z.string().min(1),
  timeZone: z
    .string()
    .refine(isTimeZone, { message: 'not a known IANA time zone (e.g. "Europe/Berlin", "UTC")' })
    .optional(),
  durationMinutes: z.number().positive(),
});

/** `POST /v1/clusters`: register a cluster. Exactly one way to authenticate. */
export const AddClusterSchema = z
  .strictObject({
    name: z
      .string()
      .max(MAX_CLUSTER_ID_LENGTH, `at most ${MAX_CLUSTER_ID_LENGTH} characters`)
      .regex(CLUSTER_ID, "lower-case letters, digits, '-' or '.'"),
    endpoint: z.string().regex(/^https?:\/\/\S+$/, 'must be an http(s) URL'),
    caData: z.string().min(1).optional(),
    /** A bearer token, stored by the deployment's token store. */
    token: z.string().min(1).optional(),
    /** A token already stored under this name (Secrets Manager on AWS). */
    secretName: z.string().min(1).optional(),
    /** A kubeconfig file readable by the control plane (local runs). */
    kubeconfig: z.strictObject({ path: z.string().min(1), context: z.string().min(1).optional() }).optional(),
    /** An EKS cluster reached through IAM: Strata signs short-lived tokens itself (no stored secret). */
    eks: z
      .strictObject({
        clusterName: z.string().regex(/^[0-9A-Za-z][A-Za-z0-9\-_]{0,99}$/, 'an EKS cluster name'),
        region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'an AWS region such as eu-west-1'),
      })
      .optional(),
    labels: Labels.default({}),
    pools: z
      .array(PoolSchema)
      .min(1, 'name at least one pool')
      .max(MAX_POOLS, `at most ${MAX_POOLS} pools`)
      .default([{ name: 'worker', nodeSelector: { 'node-role.kubernetes.io/worker': '' } }]),
    windows: z.array(WindowSchema).max(MAX_WINDOWS, `at most ${MAX_WINDOWS} windows`).optional(),
    /** How Strata moves the cluster's pools; default: detected (docs/operations.md). */
    driver: z.enum(['mco', 'agent']).optional(),
    /** Probe the cluster's API before registering, and refuse it when that fails (default true). */
    verify: z.boolean().default(true),
  })
  .superRefine((v, ctx) => {
    const ways = [v.token, v.secretName, v.kubeconfig, v.eks].filter((x) => x !== undefined).length;
    if (ways !== 1) {
      ctx.addIssue({
        code: 'custom',
        path: ['token'],
        message: 'give exactly one of token, secretName, kubeconfig or eks',
      });
    }
  });

/** A validated cluster registration request. */
export type AddClusterRequest = z.infer<typeof AddClusterSchema>;

/** `POST /v1/publish`: inject an ImagePushed as a registry would. */
export const PublishSchema = z.strictObject({
  /** `host/repo:tag`, optionally `@sha256:…`. */
  image: z.string().min(1),
  /** The digest, when not in `image`. */
  digest: z.string().regex(DIGEST, 'must be sha256:<64 hex>').optional(),
});

/** `POST /v1/plan`: dry-run a rollout of an image. */
export const PlanSchema = z.strictObject({
  /** Absent: the build plan of `track` (a track with a build definition). */
  image: z.string().min(1).optional(),
  digest: z.string().regex(DIGEST, 'must be sha256:<64 hex>').optional(),
  /** Only this track (default: every track following the image). */
  track: z.string().min(1).optional(),
});

/**
 * `POST /v1/clusters/{id}/{release|pause|resume}`: the pool of the cluster to give back to its
 * administrators (mco clusters), to hold, or to let go on.
 */
export const PoolActionSchema = z.strictObject({ pool: poolName });

/** `POST /v1/prune`: delete old builds' images (or, `dryRun`, list what would go). */
export const PruneSchema = z.strictObject({
  /** Revisions kept per track (default 3). */
  keep: z.number().int().min(1).max(100).optional(),
  dryRun: z.boolean().optional(),
  /** Only this track's builds. */
  track: z.string().min(1).optional(),
});

/** `GET /v1/pools|nodes` filters. */
const queryId = z.string().min(1).max(MAX_PATH_ID_LENGTH, `at most ${MAX_PATH_ID_LENGTH} characters`);
export const ListQuerySchema = z.strictObject({
  cluster: queryId.optional(),
  pool: queryId.optional(),
  track: queryId.optional(),
});

/** Re-exported for the cluster-add CLI (labels as selectors). */
export { LabelSelectorSchema };

/**
 * Parses `value` with `schema`, or throws an {@link AdminRequestError} naming the first bad field under
 * `prefix` (`body`, `query`).
 */
export function parseRequest<T>(schema: z.ZodType<T, unknown>, value: unknown, prefix: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const path = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
  throw new AdminRequestError(`${prefix}${path}`, issue.message);
}

/**
 * The image a request names: `host/repo:tag[@digest]`, the digest also allowed in `digest`.
 * @throws AdminRequestError naming the field: not a reference, no tag, or two different digests.
 */
export function requestedImage(field: string, image: string, digest: string | undefined) {
  let ref: ReturnType<typeof parseImageReference>;
  try {
    ref = parseImageReference(image);
  } catch (error) {
    throw new AdminRequestError(field, (error as Error).message);
  }
  if (!ref.tag) {
    throw new AdminRequestError(
      field,
      `"${image}" names no tag: tracks follow tags (host/repo:tag[@digest])`,
    );
  }
  if (ref.digest && digest && ref.digest !== digest) {
    throw new AdminRequestError('body.digest', `differs from the digest in image (${ref.digest})`);
  }
  return { host: ref.host, repository: ref.repository, tag: ref.tag, digest: digest ?? ref.digest };
}

/**
 * The registration a `POST /v1/clusters` asks for: credentials from its kubeconfig, secret name or token
 * (a token is kept under `strata/clusters/<name>`, which needs a deployment that stores tokens).
 * @throws AdminRequestError when a token is given and tokens cannot be stored.
 */
export function registrationOf(req: AddClusterRequest, storesTokens: boolean): ClusterRegistration {
  let credentials: CredentialsRef;
  if (req.eks) {
    credentials = { kind: 'eks', ...req.eks };
  } else if (req.kubeconfig) {
    const { path, context } = req.kubeconfig;
    credentials = { kind: 'kubeconfig', path, ...(context ? { context } : {}) };
  } else if (req.secretName) {
    credentials = { kind: 'token-secret', secretName: req.secretName };
  } else if (!storesTokens) {
    throw new AdminRequestError(
      'body.token',
      `this deployment does not store tokens: store it as the secret ${clusterTokenSecretName(req.name)} and pass secretName`,
    );
  } else {
    credentials = { kind: 'token-secret', secretName: clusterTokenSecretName(req.name) };
  }
  return {
    id: req.name,
    endpoint: req.endpoint,
    ...(req.driver ? { driver: req.driver } : {}),
    ...(req.caData ? { caData: req.caData } : {}),
    credentials,
    labels: req.labels,
    pools: req.pools.map((p) => ({
      name: p.name,
      nodeSelector: p.nodeSelector ?? defaultNodeSelector(p.name),
      ...('maxUnavailable' in p && p.maxUnavailable !== undefined
        ? { maxUnavailable: p.maxUnavailable }
        : {}),
    })),
    ...(req.windows ? { windows: req.windows } : {}),
  };
}

/** A request body's JSON (`{}` for an empty body). @throws AdminRequestError when it is not JSON. */
export function parseJsonBody(text: string): unknown {
  if (text === '') return {};
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new AdminRequestError('body', `not JSON: ${(error as Error).message}`);
  }
}

/**
 * The image a dry run renders: as {@link requestedImage}, and its digest is required (configs are rendered
 * pinned by digest, and no registry is asked).
 */
export function requestedPinnedImage(image: string, digest: string | undefined) {
  const ref = requestedImage('body.image', image, digest);
  if (!ref.digest) {
    throw new AdminRequestError(
      'body.digest',
      'a dry run needs the digest (IMAGE@sha256:… or digest): it renders configs pinned by digest and asks no registry',
    );
  }
  return { ...ref, digest: ref.digest, pinned: `${ref.host}/${ref.repository}@${ref.digest}` };
}

/** The track a `POST /v1/checks` names, if any. @throws AdminRequestError when it is not a track name. */
export function requestedCheckTrack(body: unknown): string | undefined {
  const track = (body as { track?: unknown } | null)?.track;
  if (track !== undefined && (typeof track !== 'string' || track === '')) {
    throw new AdminRequestError('body.track', 'must be a track name');
  }
  return track;
}

/**
 * What `POST /v1/publish` enqueues and answers: the push as the CLI sends it, the tracks that follow the
 * tag, the rollouts they will start (known only with the digest: rollouts are named by track and digest)
 * and where the digest will come from.
 */
export function publishedPush(
  image: { host: string; repository: string; tag: string; digest: string | null | undefined },
  tracks: string[],
  /** Where the digest came from: resolved here, declared (local runtime), or a hint image-push checks. */
  how: 'resolved' | 'declared' | 'hint',
  at: Date,
  eventId: string,
) {
  const { digest, ...tagged } = image;
  const enqueued: ImagePushed = {
    source: 'cli',
    ...tagged,
    digestHint: digest ?? null,
    eventId,
    receivedAt: at.toISOString(),
  };
  return {
    enqueued,
    tracks,
    rollouts: digest ? tracks.map((t) => rolloutId(t, digest)) : [],
    digestSource: !digest
      ? 'image-push resolves the tag with the registry'
      : how === 'resolved'
        ? 'resolved with the registry'
        : how === 'declared'
          ? 'declared by the publisher (local runtime: no registry is asked)'
          : 'hint only: image-push resolves the tag with the registry, which wins',
  };
}

/**
 * The warning a registration with a long-lived bearer token gets: still accepted, but a leaked token works
 * until it is revoked (docs/security.md, "Cluster credentials").
 */
export function credentialsWarning(req: AddClusterRequest): string | null {
  if (req.token === undefined && req.secretName === undefined) return null;
  return 'a bearer token that does not expire: prefer eks (IAM, short-lived tokens Strata signs) or a kubeconfig whose user gets short-lived tokens';
}
