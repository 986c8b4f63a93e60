/**
 * Quay `repo_push` notifications (registries.md §2): no digest, one tag per notification in practice;
 * `updated_tags` is an array today and was a tag → image-id map in the V1 era.
 */
import * as z from 'zod';
import type { SourceNormaliser } from '../hint.ts';
import { hostOf } from '../hint.ts';

const QuaySchema = z.object({
  repository: z.string(),
  docker_url: z.string(),
  updated_tags: z.union([z.array(z.string()), z.record(z.string(), z.unknown())]),
});
type QuayPayload = z.infer<typeof QuaySchema>;

/** `POST /hooks/quay/<token>`. */
export const quay: SourceNormaliser<QuayPayload> = {
  source: 'quay',
  contentTypes: ['application/json'],
  schema: QuaySchema,
  hints(payload) {
    const host = hostOf(payload.docker_url);
    const repository = payload.docker_url.slice(payload.docker_url.indexOf(host) + host.length + 1);
    const tags = Array.isArray(payload.updated_tags)
      ? payload.updated_tags
      : Object.keys(payload.updated_tags);
    return tags.map((tag) => ({
      action: 'push',
      host,
      repository: repository || payload.repository,
      tag,
      digestHint: null,
      eventId: null,
      mediaType: null,
    }));
  },
};
