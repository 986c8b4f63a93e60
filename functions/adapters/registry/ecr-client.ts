/**
 * ECR tag resolution through `DescribeImages` (registries.md §1.5): the stored digest, without content
 * negotiation, so a multi-arch tag yields its index digest. Needs `ecr:DescribeImages`; deleting an image
 * (`strata prune`) uses `BatchDeleteImage` by digest and needs `ecr:BatchDeleteImage`.
 */
import { BatchDeleteImageCommand, DescribeImagesCommand, ECRClient } from '@aws-sdk/client-ecr';
import type { DigestImage, ManifestDeleter } from '../../core/registry.ts';
import { ManifestUnknownError, RegistryAuthError, RegistryUnavailableError } from './errors.ts';
import type { ResolvedTag, TaggedImage, TagResolver } from './oci-client.ts';

/** `<account>.dkr.ecr.<region>.amazonaws.com` (also `.com.cn`). */
const ECR_HOST = /^([0-9]{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/;

/** Account and region of an ECR registry host, or `null` for other hosts. */
export function parseEcrHost(host: string): { account: string; region: string } | null {
  const match = ECR_HOST.exec(host);
  return match ? { account: match[1]!, region: match[2]! } : null;
}

/** Resolves ECR tags with DescribeImages; one SDK client per region. */
export class EcrTagResolver implements TagResolver, ManifestDeleter {
  private readonly clients = new Map<string, ECRClient>();
  private readonly clientFor: (region: string) => ECRClient;

  constructor(
    clientFor: (region: string) => ECRClient = (region) => new ECRClient({ region, maxAttempts: 4 }),
  ) {
    this.clientFor = clientFor;
  }

  private client(host: string, reference: string): { client: ECRClient; account: string } {
    const ecr = parseEcrHost(host);
    if (ecr === null) throw new ManifestUnknownError(`${reference} (not an ECR host)`);
    let client = this.clients.get(ecr.region);
    if (client === undefined) {
      client = this.clientFor(ecr.region);
      this.clients.set(ecr.region, client);
    }
    return { client, account: ecr.account };
  }

  /** Deletes the image `digest` (and its tags); an image already gone is not an error. */
  async deleteManifest(image: DigestImage): Promise<void> {
    const reference = `${image.host}/${image.repository}@${image.digest}`;
    const { client, account } = this.client(image.host, reference);
    try {
      const out = await client.send(
        new BatchDeleteImageCommand({
          registryId: account,
          repositoryName: image.repository,
          imageIds: [{ imageDigest: image.digest }],
        }),
      );
      const failure = out.failures?.find((f) => f.failureCode !== 'ImageNotFound');
      if (failure)
        throw new RegistryUnavailableError(reference, `${failure.failureCode}: ${failure.failureReason}`);
    } catch (error) {
      throw ecrError(error, reference);
    }
  }

  async resolveTag(image: TaggedImage): Promise<ResolvedTag> {
    const reference = `${image.host}/${image.repository}:${image.tag}`;
    const { client, account } = this.client(image.host, reference);
    try {
      const out = await client.send(
        new DescribeImagesCommand({
          registryId: account,
          repositoryName: image.repository,
          imageIds: [{ imageTag: image.tag }],
        }),
      );
      const detail = out.imageDetails?.[0];
      if (!detail?.imageDigest) throw new ManifestUnknownError(reference);
      return { digest: detail.imageDigest, mediaType: detail.imageManifestMediaType ?? null };
    } catch (error) {
      throw ecrError(error, reference);
    }
  }
}

/** An ECR SDK error as the registry error it means. */
function ecrError(error: unknown, reference: string): Error {
  const name = (error as { name?: string }).name ?? '';
  if (name === 'ImageNotFoundException' || name === 'RepositoryNotFoundException')
    return new ManifestUnknownError(reference);
  if (name === 'AccessDeniedException' || name === 'UnrecognizedClientException')
    return new RegistryAuthError(reference, name);
  if (error instanceof ManifestUnknownError || error instanceof RegistryUnavailableError) return error;
  return new RegistryUnavailableError(reference, (error as Error).message);
}
