/**
 * BaseImageUpdated on EventBridge: one `PutEvents` entry on the default bus (`source: strata.update-check`,
 * `detail-type: BaseImageUpdated`), so a rule can start a CI rebuild. Needs `events:PutEvents` on the default
 * bus only.
 */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { BASE_IMAGE_UPDATED, type BaseImageUpdated } from '../../core/checks/events.ts';
import { EventPublishError, type EventPublisher } from './publisher.ts';

/** Publishes to EventBridge. */
export class EventBridgePublisher implements EventPublisher {
  private readonly client: EventBridgeClient;
  private readonly busName: string;

  constructor(options: { client?: EventBridgeClient; busName?: string } = {}) {
    this.client = options.client ?? new EventBridgeClient({});
    this.busName = options.busName ?? 'default';
  }

  async publish(event: BaseImageUpdated): Promise<void> {
    const out = await this.client.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: this.busName,
            Source: BASE_IMAGE_UPDATED.source,
            DetailType: BASE_IMAGE_UPDATED.detailType,
            Resources: [],
            Time: new Date(event.detectedAt),
            Detail: JSON.stringify(event),
          },
        ],
      }),
    );
    // PutEvents reports per-entry failures in a 200 answer.
    if ((out.FailedEntryCount ?? 0) > 0) {
      const entry = out.Entries?.[0];
      throw new EventPublishError(
        event.id,
        `PutEvents refused it: ${entry?.ErrorCode} ${entry?.ErrorMessage}`,
      );
    }
  }
}
