/**
 * The registry parts of the update check on a real registry: the metadata reader (annotations on an
 * index, on a platform manifest only, labels in the config), conditional manifest HEADs answered 304 by
 * docker-registry, and per-host pacing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OciRegistryClient, staticCredentials } from '../../functions/adapters/registry/index.ts';
import { createImageMetadataReader } from '../../functions/adapters/registry/manifest.ts';
import { conditionalFetch, pacedFetch } from '../../functions/adapters/registry/pacing.ts';
import { BaseAnnotations } from '../../functions/core/checks/index.ts';
import { OciLayout, skopeoPush, startRegistry, type TestRegistry } from '../support/registry.ts';
import { annotatedImage } from './support.ts';

let registry: TestRegistry;
let layout: OciLayout;

beforeAll(async () => {
  registry = await startRegistry();
  layout = new OciLayout();
}, 60_000);
afterAll(async () => {
  await registry?.stop();
  layout?.remove();
});

const BASE = { [BaseAnnotations.name]: 'quay.io/fedora/fedora-coreos:stable' };

/** An OCI index over `children` with `annotations`. */
function index(children: ReturnType<typeof annotatedImage>[], annotations?: Record<string, string>) {
  return layout.blob(
    'application/vnd.oci.image.index.v1+json',
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [...children.map((c) => ({ ...c, platform: { architecture: 'amd64', os: 'linux' } }))],
      ...(annotations ? { annotations } : {}),
    }),
  );
}

async function read(tag: string, descriptor: ReturnType<typeof annotatedImage>) {
  layout.tag(tag, descriptor);
  await skopeoPush(layout, tag, `${registry.host}/acme/meta:${tag}`);
  const reader = createImageMetadataReader(
    new OciRegistryClient({ credentials: staticCredentials({ registries: {} }) }),
  );
  return reader.read({ host: registry.host, repository: 'acme/meta', digest: descriptor.digest });
}

describe('image metadata reader', () => {
  it('reads the annotations of an index', async () => {
    const metadata = await read('index', index([annotatedImage(layout, 'i-amd64')], BASE));
    expect(metadata).toEqual({ annotations: BASE, labels: {} });
  });

  it('reads the platform manifest when only it carries the base annotations', async () => {
    const metadata = await read('child', index([annotatedImage(layout, 'c-amd64', { annotations: BASE })]));
    expect(metadata.annotations).toEqual(BASE);
  });

  it('reads the config labels when no annotation names the base', async () => {
    const metadata = await read(
      'labels',
      annotatedImage(layout, 'l', { labels: { 'com.acme.base': 'x/y:1' } }),
    );
    expect(metadata).toEqual({
      annotations: {},
      labels: { 'org.example.build': 'l', 'com.acme.base': 'x/y:1' },
    });
  });
});

describe('registry pacing', () => {
  it('answers an unchanged tag from a 304 with the remembered digest', async () => {
    // Prepare
    const d = annotatedImage(layout, 'cond');
    layout.tag('cond', d);
    await skopeoPush(layout, 'cond', `${registry.host}/acme/cond:prod`);
    const statuses: number[] = [];
    const recording: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      statuses.push(response.status);
      return response;
    };
    const client = new OciRegistryClient({
      credentials: staticCredentials({ registries: {} }),
      fetch: conditionalFetch(recording),
    });
    const image = { host: registry.host, repository: 'acme/cond', tag: 'prod' };
    // Act
    const first = await client.resolveTag(image);
    const second = await client.resolveTag(image);
    // Assess
    expect(statuses).toEqual([200, 304]);
    expect(second).toEqual(first);
    expect(first.digest).toBe(d.digest);
  });

  it('spaces requests to one host by its bucket and leaves other hosts alone', async () => {
    // Prepare: a clock that stands still, so every wait is the bucket's doing.
    const waits: number[] = [];
    const reached: string[] = [];
    const inner: typeof fetch = async (input) => {
      reached.push(new URL(String(input)).host);
      return new Response(null, { status: 200 });
    };
    const paced = pacedFetch(inner, {
      default: { ratePerSecond: 2, burst: 1 },
      now: () => 0,
      wait: async (ms) => void waits.push(ms),
    });
    // Act
    for (const host of ['a.test', 'a.test', 'b.test', 'a.test']) await paced(`http://${host}/v2/`);
    // Assess
    expect(waits).toEqual([500, 1000]);
    expect(reached).toEqual(['a.test', 'a.test', 'b.test', 'a.test']);
  });
});
