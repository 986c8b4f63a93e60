/**
 * Harbor webhooks, "Default" and "CloudEvents" formats (registries.md §3). One resource per event; `tag`
 * equals the digest when the manifest was pushed by digest (every child of a multi-arch image).
 */
import * as z from 'zod';
import type { PushHint, SourceNormaliser } from '../hint.ts';
import { hostOf } from '../hint.ts';

const EventData = z.object({
  resources: z.array(
    z.object({ digest: z.string().optional(), tag: z.string().optional(), resource_url: z.string() }),
  ),
  repository: z.object({ repo_full_name: z.string() }),
});

const HarborSchema = z.union([
  z.object({ specversion: z.string(), id: z.string(), type: z.string(), data: EventData }),
  z.object({ type: z.string(), event_data: EventData }),
]);
type HarborPayload = z.infer<typeof HarborSchema>;

/** `POST /hooks/harbor`: `PUSH_ARTIFACT` (default) or `harbor.artifact.pushed` (CloudEvents). */
export const harbor: SourceNormaliser<HarborPayload> = {
  source: 'harbor',
  contentTypes: ['application/json', 'application/cloudevents+json'],
  schema: HarborSchema,
  hints(payload) {
    const cloud = 'specversion' in payload;
    const data = cloud ? payload.data : payload.event_data;
    const pushed = cloud ? payload.type === 'harbor.artifact.pushed' : payload.type === 'PUSH_ARTIFACT';
    return data.resources.map(
      (resource): PushHint => ({
        action: pushed ? 'push' : payload.type,
        host: hostOf(resource.resource_url),
        repository: data.repository.repo_full_name,
        tag: resource.tag ?? null,
        digestHint: resource.digest ?? null,
        eventId: cloud ? payload.id : null,
        mediaType: null,
      }),
    );
  },
};
