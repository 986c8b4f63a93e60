/**
 * The cluster-side container images (the node agent, the watch relay), built offline with buildah:
 * an esbuild bundle of the entry point, the project's pinned Node 24 binary (node_modules/node) and the
 * shared libraries `ldd` finds for it (plus nsenter for the agent), `FROM scratch`.
 *
 * Reproducible: the same inputs give the same manifest digest. The build context is staged with fixed
 * modes, buildah stamps every file and the image with `--timestamp 0`, COPY walks directories in sorted
 * order, and the layers are gzipped by the same buildah on push. The inputs are the bundle (the lock file
 * pins every package and esbuild), the Node binary (pinned) and the build host's shared libraries, so the
 * digest is reproducible on machines with the same Debian release (CI's); {@link ImageInputs} records them
 * so a mismatch can say which one differs.
 */
import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { BUNDLING } from '../../lib/bundling.ts';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** One image: what it bundles, where its Containerfile is, and the repository its manifest names. */
export interface ImageSpec {
  name: 'agent' | 'relay';
  /** Entry point, relative to the repository root. */
  entry: string;
  /** Containerfile, relative to the repository root. */
  containerfile: string;
  repository: string;
  /** Manifest naming the image, relative to the repository root. */
  manifest: string;
  /** Host binaries the image carries besides Node (with their libraries). */
  binaries: string[];
}

export const IMAGES: readonly ImageSpec[] = [
  {
    name: 'agent',
    entry: 'agent/main.ts',
    containerfile: 'agent/Containerfile',
    repository: 'quay.io/strata/agent',
    manifest: 'deploy/cluster/agent.yaml',
    binaries: ['/usr/bin/nsenter'],
  },
  {
    name: 'relay',
    entry: 'bin/relay.ts',
    containerfile: 'relay/Containerfile',
    repository: 'quay.io/strata/relay',
    manifest: 'deploy/cluster/relay.yaml',
    binaries: [],
  },
];

const PROJECT_VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string })
  .version;

/** The Node binary the project pins (`node@24` devDependency). */
export const NODE_BINARY = join(ROOT, 'node_modules/node/bin/node');

/** sha256 of every file placed in the image, by its path in the image. */
export type ImageInputs = Record<string, string>;

export interface BuiltImage {
  spec: ImageSpec;
  /** `sha256:…` of the OCI manifest (what a registry serves after the push). */
  digest: string;
  /** `repository@digest`. */
  reference: string;
  inputs: ImageInputs;
  /** The OCI layout written (`oci:<dir>:latest`). */
  layout: string;
}

/** Where buildah keeps its images: a storage of its own (vfs: no kernel features needed). */
export interface BuildahStorage {
  root: string;
  runroot: string;
}

const sha256 = (file: string) => `sha256:${createHash('sha256').update(readFileSync(file)).digest('hex')}`;

const run = promisify(execFile);

/** Runs buildah on a storage; resolves with its stdout. @throws with buildah's stderr. */
export async function buildah(storage: BuildahStorage, args: string[]): Promise<string> {
  try {
    const { stdout } = await run(
      'buildah',
      ['--root', storage.root, '--runroot', storage.runroot, '--storage-driver', 'vfs', ...args],
      { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
    );
    return stdout;
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    throw new Error(`buildah ${args[0]} failed${stderr ? `: ${stderr}` : ''}`);
  }
}

/** buildah's version, e.g. `1.28.2` (the gzip of the layers is its own). */
export function buildahVersion(): string {
  const out = execFileSync('buildah', ['--version'], { encoding: 'utf8' });
  return /version (\S+)/.exec(out)?.[1] ?? out.trim();
}

/** Bundles an entry point into one ESM file (everything included: the image has no node_modules). */
export async function bundle(spec: ImageSpec, outFile: string): Promise<void> {
  await build({
    ...BUNDLING,
    entryPoints: [join(ROOT, spec.entry)],
    bundle: true,
    outfile: outFile,
    minify: true,
    sourcemap: false,
    external: [],
    mainFields: [...BUNDLING.mainFields],
    banner: { js: BUNDLING.banner },
    define: { 'process.env.STRATA_BUNDLED_VERSION': JSON.stringify(PROJECT_VERSION) },
    logLevel: 'error',
    legalComments: 'none',
  });
}

/** The shared libraries (and the dynamic loader) a binary needs, as `ldd` resolves them here. */
export function sharedLibraries(binary: string): string[] {
  const out = execFileSync('ldd', [binary], { encoding: 'utf8' });
  const libraries: string[] = [];
  for (const line of out.split('\n')) {
    if (/not found/.test(line)) throw new Error(`${binary}: ldd cannot find ${line.trim()}`);
    const match = /(?:=>\s*)?(\/\S+)\s+\(0x[0-9a-f]+\)/.exec(line);
    if (match) libraries.push(match[1]!);
  }
  return libraries;
}

/** Copies a host file into a staged root at the same path, with a fixed mode (its target if a symlink). */
function place(root: string, file: string, mode: number, inputs: ImageInputs, as = file): void {
  const target = join(root, as);
  mkdirSync(dirname(target), { recursive: true });
  copyFileSync(realpathSync(file), target);
  chmodSync(target, mode);
  inputs[as] = sha256(target);
}

/**
 * Stages a build context: `runtime/` (Node and its libraries: the same layer in both images) and `app/`
 * (the bundle, extra binaries and the libraries they add). Directories 0755, executables 0755, files 0644.
 */
export async function stageContext(spec: ImageSpec, dir: string): Promise<ImageInputs> {
  rmSync(dir, { recursive: true, force: true });
  const runtime = join(dir, 'runtime');
  const app = join(dir, 'app');
  const inputs: ImageInputs = {};
  place(runtime, NODE_BINARY, 0o755, inputs, '/usr/bin/node');
  const runtimeLibraries = new Set(sharedLibraries(NODE_BINARY));
  for (const library of runtimeLibraries)
    place(runtime, library, library.includes('/ld-linux') ? 0o755 : 0o644, inputs);
  for (const binary of spec.binaries) {
    place(app, binary, 0o755, inputs);
    for (const library of sharedLibraries(binary))
      if (!runtimeLibraries.has(library)) place(app, library, 0o644, inputs);
  }
  const bundleFile = join(app, 'app', `${spec.name}.mjs`);
  mkdirSync(dirname(bundleFile), { recursive: true });
  await bundle(spec, bundleFile);
  chmodSync(bundleFile, 0o644);
  inputs[`/app/${spec.name}.mjs`] = sha256(bundleFile);
  execFileSync('chmod', ['-R', 'u=rwX,go=rX', dir]); // directories 0755 whatever the umask
  return Object.fromEntries(Object.entries(inputs).sort(([a], [b]) => a.localeCompare(b)));
}

/** Builds one image into `storage` and writes its OCI layout (gzip layers) under `layoutDir`. */
export async function buildImage(
  spec: ImageSpec,
  storage: BuildahStorage,
  work: string,
  layoutDir: string,
): Promise<BuiltImage> {
  const context = join(work, `${spec.name}-context`);
  const inputs = await stageContext(spec, context);
  const tag = `localhost/strata-${spec.name}:build`;
  // The previous build of this tag would linger in the storage, untagged.
  await buildah(storage, ['rmi', '--force', tag]).catch(() => undefined);
  await buildah(storage, [
    'bud',
    // One layer per COPY: the runtime layer (Node and its libraries) is the same blob in both images.
    '--layers',
    '--isolation',
    'chroot',
    '--timestamp',
    '0',
    '--format',
    'oci',
    '--quiet',
    '-f',
    join(ROOT, spec.containerfile),
    '-t',
    tag,
    context,
  ]);
  const layout = join(layoutDir, spec.name);
  rmSync(layout, { recursive: true, force: true });
  mkdirSync(layoutDir, { recursive: true });
  const digestFile = join(work, `${spec.name}.digest`);
  await buildah(storage, ['push', '--quiet', '--digestfile', digestFile, tag, `oci:${layout}:latest`]);
  const digest = readFileSync(digestFile, 'utf8').trim();
  if (!/^sha256:[0-9a-f]{64}$/.test(digest))
    throw new Error(`buildah push wrote no digest for ${spec.name}: "${digest}"`);
  return { spec, digest, reference: `${spec.repository}@${digest}`, inputs, layout };
}

/** Runs a command inside a built image (chroot isolation) and returns its stdout. */
export async function runInImage(
  storage: BuildahStorage,
  spec: ImageSpec,
  command: string[],
): Promise<string> {
  const image = `localhost/strata-${spec.name}:build`;
  const container = (await buildah(storage, ['from', '--quiet', '--pull=never', image])).trim();
  try {
    return await buildah(storage, ['run', '--isolation', 'chroot', container, '--', ...command]);
  } finally {
    await buildah(storage, ['rm', container]);
  }
}

/** The `image:` of a manifest's container that runs `repository` (by digest or not yet). */
export function manifestImage(
  spec: ImageSpec,
  text = readFileSync(join(ROOT, spec.manifest), 'utf8'),
): string {
  const match = new RegExp(`^\\s*image:\\s*(${escapeRegExp(spec.repository)}\\S*)\\s*$`, 'm').exec(text);
  if (!match) throw new Error(`${spec.manifest}: no "image: ${spec.repository}…" line`);
  return match[1]!;
}

/** Rewrites a manifest's image line to `reference`. */
export function writeManifestImage(spec: ImageSpec, reference: string): void {
  const file = join(ROOT, spec.manifest);
  const text = readFileSync(file, 'utf8');
  manifestImage(spec, text); // fails with the file's name when the line is missing
  const next = text.replace(
    new RegExp(`^(\\s*image:\\s*)${escapeRegExp(spec.repository)}\\S*\\s*$`, 'm'),
    (_, prefix: string) => `${prefix}${reference}`,
  );
  writeFileSync(file, next);
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** What `npm run images` recorded: per image its reference and inputs, and the buildah that built it. */
export interface ImagesRecord {
  buildah: string;
  images: Record<string, { image: string; inputs: ImageInputs }>;
}

export const RECORD_FILE = join(ROOT, 'deploy/images/built.json');

export function readRecord(): ImagesRecord | undefined {
  try {
    return JSON.parse(readFileSync(RECORD_FILE, 'utf8')) as ImagesRecord;
  } catch {
    return undefined;
  }
}

/** Why an image built here differs from the recorded one: the inputs that differ, by path. */
export function explainDifference(recorded: ImageInputs | undefined, built: ImageInputs): string {
  if (!recorded) return 'no record of the inputs (deploy/images/built.json)';
  const paths = [...new Set([...Object.keys(recorded), ...Object.keys(built)])].sort();
  const differing = paths.filter((p) => recorded[p] !== built[p]);
  if (differing.length === 0) return 'same inputs (a different buildah gzips layers differently)';
  return `inputs differ: ${differing.join(', ')}`;
}
