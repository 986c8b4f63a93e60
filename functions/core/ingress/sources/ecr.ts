/**
 * Amazon ECR events from EventBridge (registries.md §1): a Lambda target receives the event itself; an
 * API destination POSTs the same JSON. The registry host is built from `account` and `region`.
 */
import * as z from 'zod';
import type { PushHint, SourceNormaliser } from '../hint.ts';

/** The EventBridge event fields Strata reads. */
export const EcrEventSchema = z.object({
  id: z.string(),
  source: z.literal('aws.ecr'),
  'detail-type': z.string(),
  account: z.string().regex(/^[0-9]{12}$/, 'must be a 12-digit AWS account id'),
  region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-[0-9]+$/, 'must be an AWS region'),
  detail: z.object({
    'action-type': z.string().optional(),
    result: z.string().optional(),
    'repository-name': z.string().optional(),
    'image-digest': z.string().optional(),
    'image-tag': z.string().optional(),
    'manifest-media-type': z.string().optional(),
  }),
});
export type EcrEvent = z.infer<typeof EcrEventSchema>;

/** Image actions that make a new tagged image available at this registry host. */
const ARRIVALS: Record<string, string> = {
  'ECR Image Action': 'PUSH',
  'ECR Replication Action': 'REPLICATE',
};

/** The ECR registry host of an account and region. */
export function ecrHost(account: string, region: string): string {
  return `${account}.dkr.ecr.${region}.amazonaws.com`;
}

/** ECR events (`/hooks/ecr` behind an API destination, or the `ecr-event` Lambda). */
export const ecr: SourceNormaliser<EcrEvent> = {
  source: 'ecr',
  contentTypes: ['application/json'],
  schema: EcrEventSchema,
  hints(event): PushHint[] {
    const detail = event.detail;
    const arrived = ARRIVALS[event['detail-type']] === detail['action-type'] && detail.result === 'SUCCESS';
    return [
      {
        action: arrived ? 'push' : `${event['detail-type']}:${detail['action-type'] ?? ''}`,
        host: ecrHost(event.account, event.region),
        repository: detail['repository-name'] ?? '',
        tag: detail['image-tag'] ?? null,
        digestHint: detail['image-digest'] ?? null,
        eventId: event.id,
        mediaType: detail['manifest-media-type'] ?? null,
      },
    ];
  },
};
