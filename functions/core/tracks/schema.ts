/**
 * The Track schema: a name, the followed image (`host/repository:tag`), the targets (cluster label selector
 * and pool names) and a rollout strategy with conservative defaults.
 */
import * as z from 'zod';
import { BuildDefinitionSchema } from '../builds/definition.ts';
import { type InvalidReferenceError, parseImageReference } from '../ingress/reference.ts';
import {
  MAX_LABEL_VALUE_LENGTH,
  MAX_POOL_NAME_LENGTH,
  MAX_POOLS,
  MAX_SELECTOR_ENTRIES,
  MAX_WAVES,
} from '../limits.ts';
import type { LabelSelector, RolloutStrategy, Track, WaveSpec } from '../model.ts';

const labelKey = z.string().min(1).max(316);
const labelValue = z
  .string()
  .max(MAX_LABEL_VALUE_LENGTH, `label values have at most ${MAX_LABEL_VALUE_LENGTH} characters`);
const entries = `at most ${MAX_SELECTOR_ENTRIES} entries`;

/** Kubernetes label selector. */
export const LabelSelectorSchema: z.ZodType<LabelSelector> = z.strictObject({
  matchLabels: z
    .record(labelKey, labelValue)
    .refine((labels) => Object.keys(labels).length <= MAX_SELECTOR_ENTRIES, entries)
    .optional(),
  matchExpressions: z
    .array(
      z
        .strictObject({
          key: labelKey,
          operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist']),
          values: z.array(labelValue).max(MAX_SELECTOR_ENTRIES, entries).optional(),
        })
        .refine(
          (e) =>
            e.operator === 'In' || e.operator === 'NotIn'
              ? (e.values?.length ?? 0) > 0
              : (e.values?.length ?? 0) === 0,
          { message: 'In/NotIn need values; Exists/DoesNotExist take none' },
        ),
    )
    .max(MAX_SELECTOR_ENTRIES, entries)
    .optional(),
});

const waveName = z.string().min(1).max(63);

/** One wave: clusters by selector, a count, or a percentage of the remaining clusters. */
export const WaveSpecSchema: z.ZodType<WaveSpec> = z.union([
  z.strictObject({ name: waveName, clusterSelector: LabelSelectorSchema }),
  z.strictObject({ name: waveName, count: z.number().int().positive() }),
  z.strictObject({ name: waveName, percent: z.number().gt(0).max(100) }),
]);

/** A count or a `"N%"` string. */
export const IntOrPercentSchema = z.union([
  z.number().int().nonnegative(),
  z
    .string()
    .regex(/^(100|[1-9]?[0-9])%$/, 'must be a count or a percentage like "25%"')
    .transform((s) => s as `${number}%`),
]);

/** Rollout strategy; every field has a safe default (one cluster at a time, halt on the first failure). */
export const RolloutStrategySchema: z.ZodType<RolloutStrategy, unknown> = z.strictObject({
  waves: z
    .array(WaveSpecSchema)
    .max(MAX_WAVES, `at most ${MAX_WAVES} waves`)
    .default([])
    .refine((waves) => new Set(waves.map((w) => w.name)).size === waves.length, 'wave names must be unique'),
  maxConcurrentClusters: z.number().int().positive().default(1),
  maxUnavailable: IntOrPercentSchema.optional(),
  soakSeconds: z.number().int().nonnegative().default(600),
  poolFailureBudget: z.number().int().nonnegative().default(0),
  fleetFailureBudget: IntOrPercentSchema.default(0),
  onFailure: z.enum(['halt', 'rollback']).default('halt'),
  progressDeadlineSeconds: z.number().int().positive().optional(),
}) as unknown as z.ZodType<RolloutStrategy, unknown>;

/** The defaults, as a complete strategy. */
export const DEFAULT_STRATEGY: RolloutStrategy = RolloutStrategySchema.parse({});

/** Track names become keys and rollout ids: DNS-label-like. */
export const TRACK_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** `host/repository:tag` as a string, or as an object with those three fields. */
const ImageSchema = z.unknown().transform((value, ctx) => {
  let ref: string;
  if (typeof value === 'string') ref = value;
  else if (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Record<string, unknown>).host === 'string' &&
    typeof (value as Record<string, unknown>).repository === 'string' &&
    typeof (value as Record<string, unknown>).tag === 'string'
  ) {
    const image = value as { host: string; repository: string; tag: string };
    ref = `${image.host}/${image.repository}:${image.tag}`;
  } else {
    ctx.addIssue({ code: 'custom', message: 'must be "host/repository:tag" or {host, repository, tag}' });
    return z.NEVER;
  }
  try {
    const parsed = parseImageReference(ref);
    if (parsed.digest !== null || parsed.tag === null) {
      ctx.addIssue({
        code: 'custom',
        message: `"${ref}": a track follows a tag: write host/repository:tag, no digest`,
      });
      return z.NEVER;
    }
    return { host: parsed.host, repository: parsed.repository, tag: parsed.tag };
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as InvalidReferenceError).message });
    return z.NEVER;
  }
});

/** A track as written in a track file or sent to the admin API. */
export const TrackSchema: z.ZodType<Track, unknown> = z.strictObject({
  name: z.string().max(40, 'at most 40 characters').regex(TRACK_NAME, 'lowercase letters, digits and "-"'),
  image: ImageSchema,
  targets: z
    .strictObject({
      clusterSelector: LabelSelectorSchema.default({}),
      pools: z
        .array(z.string().min(1).max(MAX_POOL_NAME_LENGTH, `at most ${MAX_POOL_NAME_LENGTH} characters`))
        .min(1, 'name at least one pool')
        .max(MAX_POOLS, `at most ${MAX_POOLS} pools`)
        .default(['worker']),
    })
    .default({ clusterSelector: {}, pools: ['worker'] }),
  strategy: RolloutStrategySchema.default(DEFAULT_STRATEGY),
  baseImageLabel: z.string().min(1).max(255).optional(),
  build: BuildDefinitionSchema.optional(),
}) as unknown as z.ZodType<Track, unknown>;
