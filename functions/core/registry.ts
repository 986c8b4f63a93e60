/**
 * Registry ports: resolving a tag to the digest it points at, reading what a pinned image says about
 * itself, and the errors these report (implemented by functions/adapters/registry over the OCI distribution
 * API and ECR). `retryable` on an error says whether trying again later may help.
 */
import type { ImageMetadata } from './checks/base-image.ts';

/** An image tag to resolve. */
export interface TaggedImage {
  host: string;
  repository: string;
  tag: string;
}

/** What a tag points at. */
export interface ResolvedTag {
  /** `sha256:…` of the manifest or index the tag points at. */
  digest: string;
  /** `Content-Type` of that manifest (index or single manifest), when the registry said. */
  mediaType: string | null;
}

/** Resolves tags to digests (OCI distribution API, ECR, or a combination). */
export interface TagResolver {
  resolveTag(image: TaggedImage): Promise<ResolvedTag>;
}

/** Resolves tags, sharing answers among the checks of one cycle. */
export interface CycleResolver {
  resolveTag(image: TaggedImage, cycle: string): Promise<ResolvedTag>;
}

/** A pinned image to read. */
export interface DigestImage {
  host: string;
  repository: string;
  digest: string;
}

/**
 * Deletes a manifest by digest (`strata prune`): every tag naming it goes with it. An image already gone
 * is not an error. @throws RegistryError when the registry refuses (deletes disabled, denied).
 */
export interface ManifestDeleter {
  deleteManifest(image: DigestImage): Promise<void>;
}

/** Reads image metadata (annotations and config labels). */
export interface ImageMetadataReader {
  read(image: DigestImage): Promise<ImageMetadata>;
}

/** Base class: a tag could not be resolved. `retryable` says whether trying again later may help. */
export class RegistryError extends Error {
  readonly retryable: boolean;
  constructor(message: string, retryable: boolean) {
    super(message);
    this.name = 'RegistryError';
    this.retryable = retryable;
  }
}

/** The registry says the tag (or repository) does not exist. */
export class ManifestUnknownError extends RegistryError {
  constructor(reference: string) {
    super(`${reference}: manifest unknown`, false);
    this.name = 'ManifestUnknownError';
  }
}

/** The registry refused Strata's credentials (or Strata has none for a private repository). */
export class RegistryAuthError extends RegistryError {
  constructor(reference: string, detail: string) {
    super(`${reference}: not authorised: ${detail}`, false);
    this.name = 'RegistryAuthError';
  }
}

/** 429, 5xx or a network error, still failing after the bounded retries. */
export class RegistryUnavailableError extends RegistryError {
  constructor(reference: string, detail: string) {
    super(`${reference}: registry unavailable: ${detail}`, true);
    this.name = 'RegistryUnavailableError';
  }
}

/** The registry answered something that breaks the distribution spec (e.g. a digest that does not match). */
export class RegistryProtocolError extends RegistryError {
  constructor(reference: string, detail: string) {
    super(`${reference}: ${detail}`, false);
    this.name = 'RegistryProtocolError';
  }
}

/** A credentials file or secret is invalid: names the origin and the field. */
export class RegistryCredentialsError extends Error {
  constructor(origin: string, message: string) {
    super(`${origin}: ${message}`);
    this.name = 'RegistryCredentialsError';
  }
}
