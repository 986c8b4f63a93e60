/**
 * Publishing a BaseImageUpdated at most once per id: the event log in the table is the claim. An event
 * logged but not yet published (its publish failed or was interrupted) is published again.
 */
import type { BaseImageUpdated } from '../../core/checks/events.ts';
import type { EventPublisher } from '../../core/ports.ts';
import type { CheckStore } from '../../core/stores.ts';

/** `published` now, `skipped` (published before), or why the publish failed (it is logged for a retry). */
export async function publishOnce(
  log: Pick<CheckStore, 'logBaseEvent' | 'markBaseEventPublished'>,
  publisher: EventPublisher,
  event: BaseImageUpdated,
  at: string,
): Promise<'published' | 'skipped' | { error: string }> {
  if ((await log.logBaseEvent(event)) === 'published') return 'skipped';
  try {
    await publisher.publish(event);
  } catch (error) {
    return { error: (error as Error).message };
  }
  await log.markBaseEventPublished(event.id, at);
  return 'published';
}
