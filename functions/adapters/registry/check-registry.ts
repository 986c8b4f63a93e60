/**
 * The registry parts of an update check: an OCI client whose requests are paced per host and whose manifest
 * HEADs are conditional, the tag resolver over it (ECR hosts through DescribeImages), a short memory for
 * base tags shared within a check cycle, and the image metadata reader.
 */
import type { CycleResolver, ImageMetadataReader, TagResolver } from '../../core/registry.ts';
import type { RegistryCredentials } from './credentials.ts';
import { createImageMetadataReader } from './manifest.ts';
import { cycleMemo } from './memo.ts';
import { OciRegistryClient } from './oci-client.ts';
import { conditionalFetch, pacedFetch } from './pacing.ts';
import { createTagResolver } from './resolver.ts';
import type { RetryPolicy } from './retry.ts';

/** What the update check reads registries with. */
export interface CheckRegistry {
  resolver: TagResolver;
  baseResolver: CycleResolver;
  metadata: ImageMetadataReader;
}

/** Builds the check's registry parts (default pacing: 10 requests per second per host, bursts of 20). */
export function createCheckRegistry(
  credentials: RegistryCredentials,
  options: { fetch?: typeof fetch; ratePerSecond?: number; burst?: number; retry?: RetryPolicy } = {},
): CheckRegistry {
  const fetcher = conditionalFetch(
    pacedFetch(options.fetch ?? globalThis.fetch, {
      default: { ratePerSecond: options.ratePerSecond ?? 10, burst: options.burst ?? 20 },
    }),
  );
  const oci = new OciRegistryClient({
    credentials,
    fetch: fetcher,
    ...(options.retry ? { retry: options.retry } : {}),
  });
  const resolver = createTagResolver(credentials, { oci });
  return { resolver, baseResolver: cycleMemo(resolver), metadata: createImageMetadataReader(oci) };
}
