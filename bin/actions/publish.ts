/**
 * `strata publish IMAGE`: injects an ImagePushed on the image queue, as a registry webhook would (source
 * `cli`). IMAGE is `host/repo:tag`, optionally `@sha256:…` (or `--digest`). A local Strata takes a given
 * digest as declared; a deployed one resolves the tag with the registry, which wins.
 */
import { type ConnectionOptions, clientFor } from '../client/index.ts';

interface PublishResult {
  enqueued: { host: string; repository: string; tag: string; digestHint: string | null };
  tracks: string[];
  rollouts: string[];
  digestSource: string;
}

/** `strata publish IMAGE`. */
export async function publish(
  image: string,
  options: ConnectionOptions & { digest?: string },
): Promise<void> {
  const out = await clientFor(options).post<PublishResult>('/publish', {
    image,
    ...(options.digest ? { digest: options.digest } : {}),
  });
  const e = out.enqueued;
  process.stdout.write(
    `published ${e.host}/${e.repository}:${e.tag}${e.digestHint ? `@${e.digestHint}` : ''} (digest: ${out.digestSource})\n` +
      `tracks following it: ${out.tracks.length ? out.tracks.join(', ') : 'none'}\n` +
      (out.rollouts.length ? `rollouts: ${out.rollouts.join(', ')}\n` : ''),
  );
}
