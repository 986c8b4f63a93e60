/** Errors of the registry client: declared with the registry ports in core/registry.ts. */
export {
  ManifestUnknownError,
  RegistryAuthError,
  RegistryCredentialsError,
  RegistryError,
  RegistryProtocolError,
  RegistryUnavailableError,
} from '../../core/registry.ts';
