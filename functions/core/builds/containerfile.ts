/**
 * The Containerfile of a build definition: its `FROM` names the base stream (a repository and tag, never a
 * fixed digest); each build pins that `FROM` to the base digest of the clusters it is built for.
 */
import { InvalidReferenceError, parseImageReference } from '../ingress/reference.ts';
import { BuildDefinitionError } from './errors.ts';

/** The base stream a Containerfile builds on: `host/repository:tag`. */
export interface BaseStream {
  host: string;
  repository: string;
  tag: string;
}

/** `FROM [--flag=…]… image [AS name]`, one instruction per line (continuations are not used by FROM). */
const FROM_LINE = /^(\s*FROM\s+(?:--\S+\s+)*)(\S+)(.*)$/i;

/** The image each `FROM` line names, with its line index. */
function fromLines(containerfile: string): { index: number; image: string }[] {
  return containerfile.split('\n').flatMap((line, index) => {
    const match = FROM_LINE.exec(line);
    return match ? [{ index, image: match[2]! }] : [];
  });
}

/**
 * The base stream the first `FROM` names.
 * @throws BuildDefinitionError when there is no FROM, it names a digest, a build argument or no tag.
 */
export function baseStreamOf(containerfile: string): BaseStream {
  const first = fromLines(containerfile)[0];
  if (!first) throw new BuildDefinitionError('containerfile', 'has no FROM instruction');
  if (first.image.includes('$'))
    throw new BuildDefinitionError(
      'containerfile',
      `FROM ${first.image}: name the base stream itself (host/repository:tag), not a build argument`,
    );
  let ref: ReturnType<typeof parseImageReference>;
  try {
    ref = parseImageReference(first.image);
  } catch (error) {
    if (!(error instanceof InvalidReferenceError)) throw error;
    throw new BuildDefinitionError('containerfile', `FROM: ${error.message}`);
  }
  if (ref.digest !== null)
    throw new BuildDefinitionError(
      'containerfile',
      `FROM ${first.image}: name the base stream (host/repository:tag), not a digest: each build pins the digest of its clusters' base`,
    );
  if (ref.tag === null)
    throw new BuildDefinitionError(
      'containerfile',
      `FROM ${first.image}: name the stream's tag (host/repository:tag)`,
    );
  return { host: ref.host, repository: ref.repository, tag: ref.tag };
}

/**
 * The Containerfile with every `FROM` of the base stream pinned to `host/repository@digest` (other stages'
 * `FROM`s are left as written).
 */
export function pinContainerfile(containerfile: string, stream: BaseStream, digest: string): string {
  const pinned = `${stream.host}/${stream.repository}@${digest}`;
  return containerfile
    .split('\n')
    .map((line) => {
      const match = FROM_LINE.exec(line);
      if (!match) return line;
      let ref: ReturnType<typeof parseImageReference>;
      try {
        ref = parseImageReference(match[2]!);
      } catch {
        return line; // another stage's name, e.g. `FROM builder`
      }
      const same = ref.host === stream.host && ref.repository === stream.repository && ref.digest === null;
      return same ? `${match[1]}${pinned}${match[3]}` : line;
    })
    .join('\n');
}
