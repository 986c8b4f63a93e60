/**
 * Image references: one canonical spelling per registry host so that a push notification and a track
 * written by hand name the same image the same way.
 */
import { HOST, REPOSITORY_NAME, SHA256_DIGEST, TAG } from './media-types.ts';

/** Docker Hub's many names; Strata calls it `docker.io` (the registry client talks to `registry-1.docker.io`). */
const DOCKER_HUB_ALIASES = new Set([
  'docker.io',
  'index.docker.io',
  'registry-1.docker.io',
  'registry.hub.docker.com',
]);

/** The canonical spelling of a registry host: lowercase, Docker Hub aliases folded into `docker.io`. */
export function canonicalHost(host: string): string {
  const lower = host.toLowerCase();
  return DOCKER_HUB_ALIASES.has(lower) ? 'docker.io' : lower;
}

/** Docker Hub's official images live under `library/`. */
export function canonicalRepository(host: string, repository: string): string {
  return canonicalHost(host) === 'docker.io' && !repository.includes('/')
    ? `library/${repository}`
    : repository;
}

/** A parsed `host/repository[:tag][@digest]`. */
export interface ImageReference {
  host: string;
  repository: string;
  tag: string | null;
  digest: string | null;
}

/** Why a reference string could not be parsed. */
export class InvalidReferenceError extends Error {
  constructor(reference: string, why: string) {
    super(`invalid image reference "${reference}": ${why}`);
    this.name = 'InvalidReferenceError';
  }
}

/**
 * Parses an image reference the way container tools do: the first component is a host when it contains a
 * `.` or `:` or is `localhost`, else the image is on Docker Hub.
 * @throws InvalidReferenceError naming the part that is wrong.
 */
export function parseImageReference(reference: string): ImageReference {
  let rest = reference.trim();
  let digest: string | null = null;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!SHA256_DIGEST.test(digest))
      throw new InvalidReferenceError(reference, 'digest is not sha256:<64 hex>');
  }
  const slash = rest.indexOf('/');
  const first = slash >= 0 ? rest.slice(0, slash) : '';
  let host = 'docker.io';
  if (slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost')) {
    host = first;
    rest = rest.slice(slash + 1);
  }
  let tag: string | null = null;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw new InvalidReferenceError(reference, `tag "${tag}" is not a valid tag`);
  }
  if (!HOST.test(host)) throw new InvalidReferenceError(reference, `host "${host}" is not a valid host`);
  const repository = canonicalRepository(host, rest);
  if (!REPOSITORY_NAME.test(repository)) {
    throw new InvalidReferenceError(reference, `repository "${rest}" must be lowercase path components`);
  }
  return { host: canonicalHost(host), repository, tag, digest };
}

/** `host/repository:tag`, canonical: the key a track follows and a push is matched by. */
export function taggedReference(image: { host: string; repository: string; tag: string }): string {
  return `${canonicalHost(image.host)}/${canonicalRepository(image.host, image.repository)}:${image.tag}`;
}
