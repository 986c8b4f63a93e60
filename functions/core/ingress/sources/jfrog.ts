/**
 * JFrog Artifactory webhooks, domain `docker`, event `pushed` (registries.md §6.2). `data.sha256` is the
 * checksum of the stored manifest file, a hint only.
 */
import * as z from 'zod';
import type { SourceNormaliser } from '../hint.ts';
import { hostOf } from '../hint.ts';

const JFrogSchema = z.object({
  domain: z.string(),
  event_type: z.string(),
  jpd_origin: z.string(),
  data: z.object({
    repo_key: z.string(),
    image_name: z.string(),
    tag: z.string().optional(),
    sha256: z.string().optional(),
    name: z.string().optional(),
  }),
});
type JFrogPayload = z.infer<typeof JFrogSchema>;

/** `POST /hooks/jfrog`, authenticated by `X-JFrog-Event-Auth`. */
export const jfrog: SourceNormaliser<JFrogPayload> = {
  source: 'jfrog',
  contentTypes: ['application/json'],
  schema: JFrogSchema,
  hints(payload) {
    const isPush = payload.domain === 'docker' && payload.event_type === 'pushed';
    const file = payload.data.name;
    const isManifest = file === undefined || file === 'manifest.json' || file === 'list.manifest.json';
    return [
      {
        action: isPush ? 'push' : `${payload.domain}:${payload.event_type}`,
        host: hostOf(payload.jpd_origin),
        repository: `${payload.data.repo_key}/${payload.data.image_name}`.toLowerCase(),
        tag: payload.data.tag ?? null,
        digestHint: payload.data.sha256 ? `sha256:${payload.data.sha256.toLowerCase()}` : null,
        eventId: null,
        mediaType: isManifest ? null : 'application/octet-stream',
      },
    ];
  },
};
