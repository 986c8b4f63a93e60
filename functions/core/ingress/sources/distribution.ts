/**
 * CNCF distribution notifications (`registry:2`/v3, GitLab self-managed) and ACR webhooks, which send the
 * same event object, ACR one per request instead of an `events[]` envelope (registries.md §6.3, §7).
 */
import * as z from 'zod';
import type { PushHint, SourceNormaliser } from '../hint.ts';
import { hostOf } from '../hint.ts';

/** Distribution's notification envelope media type (v3 and the docs). */
export const DISTRIBUTION_EVENTS_TYPE = 'application/vnd.docker.distribution.events.v2+json';
/** What distribution 2.x (e.g. Debian's `docker-registry` 2.8) actually sends. */
export const DISTRIBUTION_EVENTS_TYPE_V1 = 'application/vnd.docker.distribution.events.v1+json';

const ATTESTATION_ANNOTATION = 'vnd.docker.reference.type';

/** One distribution event (fields used by Strata; others are ignored). */
export const DistributionEventSchema = z.object({
  id: z.string().optional(),
  action: z.string(),
  target: z.object({
    mediaType: z.string().optional(),
    digest: z.string().optional(),
    repository: z.string(),
    tag: z.string().optional(),
    url: z.string().optional(),
    artifactType: z.string().optional(),
    annotations: z.record(z.string(), z.string()).optional(),
  }),
  request: z.object({ host: z.string().optional() }).optional(),
});
export type DistributionEvent = z.infer<typeof DistributionEventSchema>;

function eventHint(event: DistributionEvent): PushHint {
  const host = event.request?.host || (event.target.url ? hostOf(event.target.url) : '');
  const annotations = event.target.annotations ?? {};
  return {
    action: event.action,
    host,
    repository: event.target.repository,
    tag: event.target.tag ?? null,
    digestHint: event.target.digest ?? null,
    eventId: event.id ?? null,
    mediaType: event.target.mediaType ?? null,
    attestation:
      annotations[ATTESTATION_ANNOTATION] === 'attestation-manifest' ||
      event.target.artifactType !== undefined,
  };
}

/** `POST /hooks/distribution` and `/hooks/gitlab`: `{ "events": [ … ] }`. */
export const distribution: SourceNormaliser<{ events: DistributionEvent[] }> = {
  source: 'distribution',
  contentTypes: [DISTRIBUTION_EVENTS_TYPE, DISTRIBUTION_EVENTS_TYPE_V1, 'application/json'],
  schema: z.object({ events: z.array(DistributionEventSchema) }),
  hints: (payload) => payload.events.map(eventHint),
};

/** `POST /hooks/acr`: one event per request. `chart_push`, `delete`, `quarantine` are not image pushes. */
export const acr: SourceNormaliser<DistributionEvent> = {
  source: 'acr',
  contentTypes: ['application/json'],
  schema: DistributionEventSchema,
  hints: (event) => [eventHint(event)],
};
