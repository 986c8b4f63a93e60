/**
 * A track's build definition: the Containerfile (its `FROM` names the base stream), build arguments, the
 * repository builds are pushed to, the architectures, how often a failed build is tried, and whether a
 * moved base rebuilds on its own or waits for approval. The revision is a hash of what shapes the image
 * (Containerfile, arguments, repository, architectures): changing any of them is a new revision.
 */
import * as z from 'zod';
import { InvalidReferenceError, parseImageReference } from '../ingress/reference.ts';
import { ARCHITECTURES, type Architecture, type BuildDefinition } from '../model.ts';
import { type BaseStream, baseStreamOf } from './containerfile.ts';
import { BuildDefinitionError } from './errors.ts';

/** Default attempts of a build before it stays Failed. */
export const DEFAULT_BUILD_ATTEMPTS = 3;

export { ARCHITECTURES, type Architecture, type BuildDefinition };

const ARG_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `host/repository` without tag or digest. */
const RepositorySchema = z.string().transform((value, ctx) => {
  try {
    const ref = parseImageReference(value);
    if (ref.tag !== null || ref.digest !== null || value.includes('@')) {
      ctx.addIssue({
        code: 'custom',
        message: `"${value}": name the repository only (host/repository), builds set the tags`,
      });
      return z.NEVER;
    }
    return { host: ref.host, repository: ref.repository };
  } catch (error) {
    if (!(error instanceof InvalidReferenceError)) throw error;
    ctx.addIssue({ code: 'custom', message: error.message });
    return z.NEVER;
  }
});

/** The `build:` block of a track. */
export const BuildDefinitionSchema: z.ZodType<BuildDefinition, unknown> = z
  .strictObject({
    containerfile: z
      .string()
      .min(1)
      .max(64 * 1024),
    args: z
      .record(z.string().regex(ARG_NAME, 'build argument names are letters, digits and "_"'), z.string())
      .default({}),
    repository: RepositorySchema,
    architectures: z
      .array(z.enum(ARCHITECTURES))
      .min(1)
      .default(['amd64'])
      .refine((a) => new Set(a).size === a.length, 'each architecture once'),
    maxAttempts: z.number().int().min(1).max(10).default(DEFAULT_BUILD_ATTEMPTS),
    rebuild: z.enum(['automatic', 'approval']).default('automatic'),
  })
  .superRefine((def, ctx) => {
    try {
      baseStreamOf(def.containerfile);
    } catch (error) {
      if (!(error instanceof BuildDefinitionError)) throw error;
      ctx.addIssue({
        code: 'custom',
        path: ['containerfile'],
        message: error.message.replace(/^build\.containerfile: /, ''),
      });
    }
  }) as unknown as z.ZodType<BuildDefinition, unknown>;

/** The base stream of a (valid) definition. */
export function baseStream(def: BuildDefinition): BaseStream {
  return baseStreamOf(def.containerfile);
}
