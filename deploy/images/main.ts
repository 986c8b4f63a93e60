/**
 * `npm run images`: builds the agent and relay images with buildah (deploy/images/build.ts), writes their
 * OCI layouts to dist/images/<name> (push them with `skopeo copy --preserve-digests oci:dist/images/agent:latest
 * docker://quay.io/strata/agent:<version>`), names them by digest in deploy/cluster/agent.yaml and
 * relay.yaml, and records their inputs in deploy/images/built.json. Needs buildah and root (vfs storage,
 * chroot isolation). Exit 1 when a build fails, with buildah's error.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type BuiltImage,
  buildahVersion,
  buildImage,
  IMAGES,
  type ImagesRecord,
  RECORD_FILE,
  ROOT,
  writeManifestImage,
} from './build.ts';

const cache = join(ROOT, 'node_modules/.cache/strata-images');
mkdirSync(cache, { recursive: true });

let built: BuiltImage[];
try {
  // One storage per image: the two builds run side by side.
  built = await Promise.all(
    IMAGES.map(async (spec) => {
      const started = performance.now();
      const storage = { root: join(cache, spec.name, 'storage'), runroot: join(cache, spec.name, 'run') };
      const image = await buildImage(spec, storage, cache, join(ROOT, 'dist/images'));
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      process.stdout.write(`${spec.name}: ${image.reference} (${seconds} s)\n`);
      return image;
    }),
  );
} catch (error) {
  process.stderr.write(`images: ${(error as Error).message}\n`);
  process.exit(1);
}

for (const image of built) {
  writeManifestImage(image.spec, image.reference);
  process.stdout.write(`${image.spec.manifest}: image ${image.reference}\n`);
}
const record: ImagesRecord = {
  buildah: buildahVersion(),
  images: Object.fromEntries(built.map((b) => [b.spec.name, { image: b.reference, inputs: b.inputs }])),
};
writeFileSync(RECORD_FILE, `${JSON.stringify(record, null, 2)}\n`);
process.stdout.write(`${RECORD_FILE.slice(ROOT.length)}: inputs recorded\n`);
