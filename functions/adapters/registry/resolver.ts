/** The tag resolver Strata uses: ECR hosts through DescribeImages (unless set to `api: oci`), others via OCI. */

import type { ManifestDeleter } from '../../core/registry.ts';
import type { RegistryCredentials } from './credentials.ts';
import { EcrTagResolver, parseEcrHost } from './ecr-client.ts';
import { OciRegistryClient, type ResolvedTag, type TaggedImage, type TagResolver } from './oci-client.ts';

/** Picks the resolver per host. */
export function createTagResolver(
  credentials: RegistryCredentials,
  parts: { oci?: TagResolver; ecr?: TagResolver } = {},
): TagResolver {
  const oci = parts.oci ?? new OciRegistryClient({ credentials });
  let ecr = parts.ecr;
  return {
    async resolveTag(image: TaggedImage): Promise<ResolvedTag> {
      const config = await credentials.forHost(image.host);
      const api = config?.api ?? (parseEcrHost(image.host) !== null ? 'ecr' : 'oci');
      if (api === 'oci') return oci.resolveTag(image);
      ecr ??= new EcrTagResolver();
      return ecr.resolveTag(image);
    },
  };
}

/** Picks the manifest deleter per host, as {@link createTagResolver} picks the resolver (`strata prune`). */
export function createManifestDeleter(
  credentials: RegistryCredentials,
  parts: { oci?: ManifestDeleter; ecr?: ManifestDeleter } = {},
): ManifestDeleter {
  const oci = parts.oci ?? new OciRegistryClient({ credentials });
  let ecr = parts.ecr;
  return {
    async deleteManifest(image) {
      const config = await credentials.forHost(image.host);
      const api = config?.api ?? (parseEcrHost(image.host) !== null ? 'ecr' : 'oci');
      if (api === 'oci') return oci.deleteManifest(image);
      ecr ??= new EcrTagResolver();
      return ecr.deleteManifest(image);
    },
  };
}
