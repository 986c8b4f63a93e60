/**
 * Reads what a pinned image says about itself: the annotations of its manifest or index and the labels of
 * its image config. For an index without base annotations, the first platform image's manifest (attestation
 * manifests skipped) is read too, since some builders annotate the platform manifests only.
 */
import { BaseAnnotations } from '../../core/checks/base-image.ts';
import type { ImageMetadataReader } from '../../core/registry.ts';
import { RegistryProtocolError } from './errors.ts';
import type { OciRegistryClient } from './oci-client.ts';

export type { DigestImage, ImageMetadataReader } from '../../core/registry.ts';

interface ManifestJson {
  mediaType?: string;
  annotations?: Record<string, string>;
  config?: { digest?: string; mediaType?: string };
  manifests?: {
    digest?: string;
    mediaType?: string;
    platform?: { os?: string; architecture?: string };
    annotations?: Record<string, string>;
  }[];
}

function parseJson(body: Buffer, reference: string): ManifestJson {
  try {
    const value = JSON.parse(body.toString('utf8')) as unknown;
    if (value === null || typeof value !== 'object') throw new Error('not an object');
    return value as ManifestJson;
  } catch (error) {
    throw new RegistryProtocolError(reference, `manifest is not JSON: ${(error as Error).message}`);
  }
}

function isIndex(manifest: ManifestJson, mediaType: string | null): boolean {
  return (
    Array.isArray(manifest.manifests) || /index|manifest\.list/.test(manifest.mediaType ?? mediaType ?? '')
  );
}

function strings(value: unknown): Record<string, string> {
  if (value === null || typeof value !== 'object') return {};
  return Object.fromEntries(Object.entries(value).filter(([, v]) => typeof v === 'string')) as Record<
    string,
    string
  >;
}

/** Reads metadata through the OCI client (manifest GETs by digest, so a tag moving in between cannot mix images). */
export function createImageMetadataReader(
  client: Pick<OciRegistryClient, 'getContent'>,
): ImageMetadataReader {
  return {
    async read(image) {
      const reference = `${image.host}/${image.repository}@${image.digest}`;
      const top = await client.getContent(image, 'manifests', image.digest);
      const manifest = parseJson(top.body, reference);
      let annotations = strings(manifest.annotations);
      let imageManifest = manifest;
      if (isIndex(manifest, top.mediaType)) {
        const child = (manifest.manifests ?? []).find(
          (m) =>
            typeof m.digest === 'string' &&
            m.platform?.os !== 'unknown' &&
            m.annotations?.['vnd.docker.reference.type'] !== 'attestation-manifest',
        );
        if (child?.digest === undefined) return { annotations, labels: {} };
        const childBody = await client.getContent(image, 'manifests', child.digest);
        imageManifest = parseJson(childBody.body, `${image.host}/${image.repository}@${child.digest}`);
        if (annotations[BaseAnnotations.name] === undefined) {
          annotations = { ...strings(imageManifest.annotations), ...annotations };
        }
      }
      // The annotation answers the question without the config blob: one GET fewer per new digest.
      if (annotations[BaseAnnotations.name] !== undefined) return { annotations, labels: {} };
      const configDigest = imageManifest.config?.digest;
      if (typeof configDigest !== 'string') return { annotations, labels: {} };
      const config = await client.getContent(image, 'blobs', configDigest);
      const json = parseJson(config.body, `${image.host}/${image.repository}@${configDigest}`) as {
        config?: { Labels?: unknown };
      };
      return { annotations, labels: strings(json.config?.Labels) };
    },
  };
}
