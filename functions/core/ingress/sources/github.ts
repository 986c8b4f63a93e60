/**
 * GitHub Packages (GHCR) `package` and `registry_package` webhooks (registries.md §5). GitHub fires once
 * per manifest of a multi-arch push; only the event with a tag name counts.
 */
import * as z from 'zod';
import type { Headers, PushHint, SourceNormaliser } from '../hint.ts';
import { hostOf } from '../hint.ts';

const PackageSchema = z.object({
  name: z.string(),
  package_type: z.string().optional(),
  ecosystem: z.string().optional(),
  owner: z.object({ login: z.string() }).optional(),
  package_version: z
    .object({
      name: z.string().optional(),
      version: z.string().optional(),
      package_url: z.string().optional(),
      container_metadata: z
        .object({
          tag: z.object({ name: z.string(), digest: z.string().optional() }).optional(),
          manifest: z.object({ digest: z.string().optional(), media_type: z.string().optional() }).optional(),
        })
        .optional(),
    })
    .optional(),
});

const GitHubSchema = z.object({
  action: z.string().optional(),
  package: PackageSchema.optional(),
  registry_package: PackageSchema.optional(),
});
type GitHubPayload = z.infer<typeof GitHubSchema>;

const CONTAINER_TYPES = new Set(['container', 'docker']);

/** `ghcr.io/Owner/name:tag` (or with a trailing `:`) → `owner/name`. */
function repositoryFromUrl(packageUrl: string): string {
  const host = hostOf(packageUrl);
  let path = packageUrl.slice(packageUrl.indexOf(host) + host.length + 1);
  const colon = path.lastIndexOf(':');
  if (colon > path.lastIndexOf('/')) path = path.slice(0, colon);
  return path.toLowerCase();
}

/** `POST /hooks/github`, signed with `X-Hub-Signature-256`; delivery id `X-GitHub-Delivery`. */
export const github: SourceNormaliser<GitHubPayload> = {
  source: 'github',
  contentTypes: ['application/json'],
  schema: GitHubSchema,
  hints(payload, headers: Headers): PushHint[] {
    const event = headers['x-github-event'];
    if (event === 'ping') return [];
    const pkg = payload.package ?? payload.registry_package;
    if (pkg === undefined) {
      return [notAPush(event ?? 'unknown', headers)];
    }
    const type = (pkg.package_type ?? pkg.ecosystem ?? '').toLowerCase();
    const version = pkg.package_version;
    const metadata = version?.container_metadata;
    const packageUrl = version?.package_url;
    const isPush =
      (payload.action === 'published' || payload.action === 'updated') && CONTAINER_TYPES.has(type);
    return [
      {
        action: isPush ? 'push' : `${payload.action ?? 'unknown'}:${type}`,
        host: packageUrl ? hostOf(packageUrl).toLowerCase() : 'ghcr.io',
        repository: packageUrl?.includes('/')
          ? repositoryFromUrl(packageUrl)
          : `${pkg.owner?.login ?? ''}/${pkg.name}`.toLowerCase(),
        tag: metadata?.tag?.name ?? null,
        digestHint: metadata?.tag?.digest || metadata?.manifest?.digest || version?.name || null,
        eventId: headers['x-github-delivery'] ?? null,
        mediaType: metadata?.manifest?.media_type || null,
      },
    ];
  },
};

function notAPush(event: string, headers: Headers): PushHint {
  return {
    action: event,
    host: 'ghcr.io',
    repository: '',
    tag: null,
    digestHint: null,
    eventId: headers['x-github-delivery'] ?? null,
    mediaType: null,
  };
}
