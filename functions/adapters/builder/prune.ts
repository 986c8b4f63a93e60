/**
 * `strata prune` (`POST /v1/prune`): deletes the images of old builds from the registry and marks their
 * build items pruned. Which builds go is core's decision (core/builds/prune.ts: per track all but the newest
 * `keep` revisions, never an image a pool runs, targets or keeps for rollback); a dry run lists them and
 * changes nothing. A build whose delete fails stays unpruned, with the registry's reason in the report.
 */
import { AdminHttpError, PruneSchema, parseRequest } from '../../core/admin/index.ts';
import * as builds from '../../core/builds/index.ts';
import type { ManifestDeleter } from '../../core/registry.ts';
import type { Stores } from '../../core/stores.ts';

/** What pruning needs; without `registryCleaner` only dry runs are possible. */
export interface PruneDeps {
  stores: Pick<Stores, 'builds' | 'pools'>;
  registryCleaner?: ManifestDeleter | undefined;
}

/** What to prune. */
export interface PruneOptions {
  /** Revisions kept per track (default 3). */
  keep?: number | undefined;
  dryRun?: boolean | undefined;
  /** Only this track's builds. */
  track?: string | undefined;
}

/** One build pruning removed, would remove, or failed to remove. */
export interface PrunedBuild {
  id: string;
  track: string;
  revision: string;
  /** The tag that goes with the image (null: the build pushed nothing, only its record is marked). */
  tag: string | null;
  /** The pinned image deleted from the registry. */
  image: string | null;
  outcome: 'would-prune' | 'pruned' | 'failed';
  error?: string;
}

/** What a prune did. */
export interface PruneReport {
  keep: number;
  dryRun: boolean;
  builds: PrunedBuild[];
  /** How many deletes failed (the command exits non-zero). */
  failed: number;
}

/**
 * Prunes (or, on a dry run, lists) old builds; `request` is the body of `POST /v1/prune` ({@link PruneOptions}).
 * @throws AdminRequestError naming the bad field; AdminHttpError 501 for a real run with no registry cleaner.
 */
export async function pruneBuilds(deps: PruneDeps, request: unknown, now: Date): Promise<PruneReport> {
  const options: PruneOptions = parseRequest(PruneSchema, request, 'body');
  const keep = options.keep ?? builds.DEFAULT_KEEP;
  const dryRun = options.dryRun ?? false;
  const cleaner = deps.registryCleaner;
  if (!dryRun && !cleaner)
    throw new AdminHttpError(501, 'this deployment cannot delete images: run with a dry run');
  const all = options.track
    ? await deps.stores.builds.listBuildsByTrack(options.track)
    : await deps.stores.builds.listBuilds();
  const inUse = builds.imagesInUse(await deps.stores.pools.listAllPools());
  const out: PrunedBuild[] = [];
  for (const { build, tag } of builds.pruneCandidates(all, inUse, keep)) {
    const { host, repository } = build.target;
    const image = build.digest ? `${host}/${repository}@${build.digest}` : null;
    const item = { id: build.id, track: build.track, revision: build.revision, tag, image };
    if (dryRun || !cleaner) {
      out.push({ ...item, outcome: 'would-prune' });
      continue;
    }
    try {
      if (build.digest) await cleaner.deleteManifest({ host, repository, digest: build.digest });
      await deps.stores.builds.putBuildIfVersion(builds.markPruned(build, now.toISOString()), build.version);
      out.push({ ...item, outcome: 'pruned' });
    } catch (error) {
      out.push({ ...item, outcome: 'failed', error: error instanceof Error ? error.message : String(error) });
    }
  }
  return { keep, dryRun, builds: out, failed: out.filter((b) => b.outcome === 'failed').length };
}
