/**
 * The agent and relay images, built with buildah exactly as `npm run images` builds them (one build of
 * each, shared by every assertion): their bundles run `--version` inside the images, the images carry what
 * they need, and deploy/cluster/agent.yaml and relay.yaml name exactly these images by digest (builds are
 * reproducible, so a manifest that names another digest is stale: `npm run images` rewrites it).
 * Skipped only when buildah is not installed (.ci/run installs it).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type BuildahStorage,
  type BuiltImage,
  buildImage,
  explainDifference,
  IMAGES,
  type ImageSpec,
  manifestImage,
  readRecord,
  runInImage,
} from '../../deploy/images/build.ts';
import project from '../../package.json' with { type: 'json' };

const hasBuildah = spawnSync('buildah', ['--version']).status === 0;
const title = hasBuildah
  ? 'cluster images built with buildah'
  : 'cluster images: SKIPPED because buildah is not installed (apt-get install buildah; .ci/run does)';

const built = new Map<string, { image: BuiltImage; storage: BuildahStorage }>();
const spec = (name: string): ImageSpec => IMAGES.find((s) => s.name === name)!;

/** Reads a blob of an OCI layout by digest. */
const blob = (layout: string, digest: string) =>
  JSON.parse(readFileSync(join(layout, 'blobs', ...digest.split(':')), 'utf8'));

describe.skipIf(!hasBuildah)(title, () => {
  beforeAll(async () => {
    expect(process.getuid?.(), 'buildah with vfs storage and chroot isolation runs as root').toBe(0);
    const work = mkdtempSync(join(tmpdir(), 'strata-images-'));
    await Promise.all(
      IMAGES.map(async (s) => {
        const storage = { root: join(work, s.name, 'storage'), runroot: join(work, s.name, 'run') };
        built.set(s.name, { image: await buildImage(s, storage, work, join(work, 'layouts')), storage });
      }),
    );
  }, 300_000);

  it('runs the agent bundle inside its image, with nsenter beside it', async () => {
    const { storage } = built.get('agent')!;
    expect(await runInImage(storage, spec('agent'), ['/usr/bin/node', '/app/agent.mjs', '--version'])).toBe(
      `strata-agent ${project.version}\n`,
    );
    expect(await runInImage(storage, spec('agent'), ['/usr/bin/nsenter', '--version'])).toMatch(
      /^nsenter from util-linux/,
    );
  }, 60_000);

  it('runs the relay bundle inside its image', async () => {
    const { storage } = built.get('relay')!;
    expect(await runInImage(storage, spec('relay'), ['/usr/bin/node', '/app/relay.mjs', '--version'])).toBe(
      `strata-relay ${project.version}\n`,
    );
  }, 60_000);

  it('writes OCI layouts whose manifest is the digest, with the entry point, user and one shared runtime layer', () => {
    const configs = new Map<string, { config: { Entrypoint: string[]; User?: string }; layers: string[] }>();
    for (const [name, { image }] of built) {
      const index = JSON.parse(readFileSync(join(image.layout, 'index.json'), 'utf8'));
      expect(index.manifests.map((m: { digest: string }) => m.digest)).toEqual([image.digest]);
      const manifest = blob(image.layout, image.digest);
      configs.set(name, {
        config: blob(image.layout, manifest.config.digest).config,
        layers: manifest.layers.map((l: { digest: string }) => l.digest),
      });
    }
    const agent = configs.get('agent')!;
    const relay = configs.get('relay')!;
    expect(agent.config.Entrypoint).toEqual(['/usr/bin/node', '/app/agent.mjs']);
    expect(agent.config.User ?? '').toBe(''); // root: nsenter into the host's namespaces
    expect(relay.config.Entrypoint).toEqual(['/usr/bin/node', '/app/relay.mjs']);
    expect(relay.config.User).toBe('65532:65532');
    // Node and its libraries: the same first layer in both images (pulled once per node).
    expect(agent.layers[0]).toBe(relay.layers[0]);
    expect(agent.layers).toHaveLength(2);
  });

  it('are named by exactly these digests in deploy/cluster/agent.yaml and relay.yaml', () => {
    const record = readRecord();
    for (const { image } of built.values()) {
      const named = manifestImage(image.spec);
      const why = explainDifference(record?.images[image.spec.name]?.inputs, image.inputs);
      expect(
        named,
        `${image.spec.manifest} names ${named}, but this source builds ${image.reference} (${why}); run npm run images`,
      ).toBe(image.reference);
    }
  });
});
