/** Registry adapter: tag → digest over the OCI distribution API or ECR, with Strata's own credentials. */
export {
  fileCredentials,
  parseCredentialsDocument,
  type RegistryCredentials,
  type RegistryHostConfig,
  secretsManagerCredentials,
  staticCredentials,
} from './credentials.ts';
export { EcrTagResolver, parseEcrHost } from './ecr-client.ts';
export {
  ManifestUnknownError,
  RegistryAuthError,
  RegistryCredentialsError,
  RegistryError,
  RegistryProtocolError,
  RegistryUnavailableError,
} from './errors.ts';
export {
  MANIFEST_ACCEPT,
  type OciClientOptions,
  OciRegistryClient,
  type ResolvedTag,
  registryBaseUrl,
  type TaggedImage,
  type TagResolver,
} from './oci-client.ts';
export { createManifestDeleter, createTagResolver } from './resolver.ts';
export { DEFAULT_RETRY, type RetryPolicy } from './retry.ts';
export { type Challenge, parseChallenge } from './www-authenticate.ts';
