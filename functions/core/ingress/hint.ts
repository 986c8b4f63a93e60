/**
 * What a source normaliser extracts from one notification before noise is dropped: the claimed push, plus
 * what the noise filter needs (action, media type, attestation marker).
 */
import type * as z from 'zod';
import { MalformedPayloadError } from './errors.ts';

/** One notification entry as a source reported it, normalised but not yet filtered. */
export interface PushHint {
  /** `push` for a push of a manifest; anything else (`pull`, `delete`, `scan`, …) is dropped. */
  action: string;
  host: string;
  repository: string;
  /** `null` when the manifest was pushed by digest (an untagged child). */
  tag: string | null;
  digestHint: string | null;
  eventId: string | null;
  /** Media type of the pushed object when the source says; non-manifest types are dropped. */
  mediaType: string | null;
  /** The source marked it as an attestation/signature/SBOM manifest. */
  attestation?: boolean;
}

/** Headers (lowercase names) a normaliser may read, e.g. GitHub's delivery id. */
export type Headers = Record<string, string | undefined>;

/** A per-source normaliser: schema of the parsed JSON body and the mapping to hints. */
export interface SourceNormaliser<T = unknown> {
  /** The `ImagePushed.source` it produces. */
  source: string;
  /** Accepted request content types (without parameters). */
  contentTypes: readonly string[];
  schema: z.ZodType<T>;
  hints(payload: T, headers: Headers): PushHint[];
}

/** Validates `payload` against the normaliser's schema; the error names the first failing field. */
export function parsePayload<T>(normaliser: SourceNormaliser<T>, payload: unknown): T {
  const result = normaliser.schema.safeParse(payload);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const path = issue.path.length > 0 ? issue.path.join('.') : '(body)';
  throw new MalformedPayloadError(normaliser.source, `${path}: ${issue.message}`);
}

/** The host part of a URL or of `host/path` (no scheme). */
export function hostOf(urlOrRef: string): string {
  const withoutScheme = urlOrRef.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '');
  const end = withoutScheme.search(/[/?#]/);
  return end < 0 ? withoutScheme : withoutScheme.slice(0, end);
}
