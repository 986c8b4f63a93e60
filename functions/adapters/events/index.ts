/** Event publishing: BaseImageUpdated to EventBridge (AWS) or an outgoing webhook (local). */
export { EventBridgePublisher } from './eventbridge.ts';
export { EventPublishError, type EventPublisher, logOnlyPublisher } from './publisher.ts';
export { type WebhookPublisherOptions, webhookPublisher } from './webhook.ts';
