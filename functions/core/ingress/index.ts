/** Ingress: registry notifications → authenticated, normalised, noise-free `ImagePushed`. Pure. */
export { type AuthInput, authenticate, constantTimeEqual, isAuthentic, type SourceAuth } from './auth.ts';
export {
  type ProviderConfig,
  parseWebhookConfig,
  type WebhookConfig,
  WebhookConfigError,
  WebhookConfigSchema,
} from './config.ts';
export { DeliveryRejectedError, MalformedPayloadError, UnauthorizedDeliveryError } from './errors.ts';
export { type Headers, hostOf, type PushHint, parsePayload, type SourceNormaliser } from './hint.ts';
export {
  DOCKER_MANIFEST,
  DOCKER_MANIFEST_LIST,
  isManifestMediaType,
  looksLikeDigest,
  MANIFEST_MEDIA_TYPES,
  OCI_INDEX,
  OCI_MANIFEST,
  SHA256_DIGEST,
} from './media-types.ts';
export { type FilteredDelivery, filterNoise, type NoiseReason, noiseReason } from './noise.ts';
export { GOOGLE_ISSUERS, GOOGLE_JWKS_URI, type OidcExpectation, verifyOidcToken } from './oidc.ts';
export { type Delivery, jwksUrisOf, PROVIDERS, receiveDelivery } from './receive.ts';
export {
  canonicalHost,
  canonicalRepository,
  type ImageReference,
  InvalidReferenceError,
  parseImageReference,
  taggedReference,
} from './reference.ts';
export { DISTRIBUTION_EVENTS_TYPE } from './sources/distribution.ts';
export { type EcrEvent, EcrEventSchema, ecr, ecrHost } from './sources/ecr.ts';
