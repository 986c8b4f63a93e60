/** Where BaseImageUpdated events go: EventBridge on AWS; locally an optional webhook (the table keeps the log). */
import type { EventPublisher } from '../../core/ports.ts';

export type { EventPublisher } from '../../core/ports.ts';

/** A publish failed (the event stays logged as unpublished and is published again by the next check). */
export class EventPublishError extends Error {
  constructor(id: string, detail: string) {
    super(`event ${id}: ${detail}`);
    this.name = 'EventPublishError';
  }
}

/** Publishes nowhere: the table's event log is the record (the embedded runtime without a webhook). */
export const logOnlyPublisher: EventPublisher = { publish: async () => undefined };
