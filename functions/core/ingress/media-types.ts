/** Media types and name grammar of the OCI distribution spec, as far as ingress needs them. */

/** OCI image index (multi-arch). */
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
/** Docker manifest list (multi-arch). */
export const DOCKER_MANIFEST_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
/** OCI image manifest. */
export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
/** Docker image manifest, schema 2. */
export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';

/**
 * Every manifest type a node image can have, index types first. Sent as the `Accept` list when resolving a
 * tag: without the index types a registry answers 404 for an OCI index or silently rewrites a Docker
 * manifest list to its amd64 child (registries.md §8.1).
 */
export const MANIFEST_MEDIA_TYPES = [OCI_INDEX, DOCKER_MANIFEST_LIST, OCI_MANIFEST, DOCKER_MANIFEST] as const;

/** True for the four manifest/index media types (anything else is a blob, config, chart or artifact). */
export function isManifestMediaType(mediaType: string): boolean {
  return (MANIFEST_MEDIA_TYPES as readonly string[]).includes(mediaType.split(';')[0]!.trim());
}

/** `sha256:<64 lowercase hex>`: the only digest form Strata pins. */
export const SHA256_DIGEST = /^sha256:[a-f0-9]{64}$/;

/** Any `algorithm:encoded` digest (OCI grammar), e.g. a Harbor `tag` that is really a digest. */
const ANY_DIGEST = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/;

/** Cosign-style companion tags (`sha256-<hex>.sig`, `.att`, `.sbom`) that name artefacts, not images. */
const DIGEST_COMPANION_TAG = /^sha256-[a-f0-9]{64}(?:\.[a-z]+)?$/;

/** True when a "tag" is a digest or names a signature/attestation companion of one. */
export function looksLikeDigest(tag: string): boolean {
  return ANY_DIGEST.test(tag) || DIGEST_COMPANION_TAG.test(tag);
}

/** OCI repository name grammar (distribution-spec, `<name>`), lowercase path components. */
export const REPOSITORY_NAME =
  /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*$/;

/** OCI tag grammar. */
export const TAG = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;

/** Registry host with optional port (DNS name, IPv4 or bracketed IPv6). */
export const HOST =
  /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[0-9a-fA-F:.]+\])(?::[0-9]{1,5})?$/;
