/**
 * Image references as the agent needs them: is a desired image pinned by digest, which digest, and the
 * `repo@sha256:…` spelling of what a host booted (hosts record the reference they were switched to, which
 * may carry a tag). Parsing is the project's one image-reference parser.
 */
import { InvalidReferenceError, parseImageReference } from '../functions/core/ingress/reference.ts';

/** Why a desired image cannot be used, or undefined when it is `repo@sha256:…`. */
export function desiredImageProblem(image: string): string | undefined {
  try {
    const ref = parseImageReference(image);
    if (ref.digest === null)
      return `tag not allowed: desired image "${image}" is not pinned by digest (expected repo@sha256:…)`;
    return undefined;
  } catch (error) {
    if (error instanceof InvalidReferenceError) return error.message;
    throw error;
  }
}

/** The digest of a pinned reference (`sha256:…`), or undefined. */
export function digestOf(image: string | undefined): string | undefined {
  if (!image) return undefined;
  try {
    return parseImageReference(image).digest ?? undefined;
  } catch {
    return undefined;
  }
}

/**
 * `host/repository@digest` for an image a host deployed from `reference` (a tag, a digest or both) whose
 * manifest digest is `digest`. Undefined when either is unknown or the reference does not parse.
 */
export function pinnedReference(
  reference: string | undefined,
  digest: string | undefined,
): string | undefined {
  if (!reference || !digest) return undefined;
  try {
    const ref = parseImageReference(reference);
    return `${ref.host}/${ref.repository}@${digest}`;
  } catch {
    return undefined;
  }
}
