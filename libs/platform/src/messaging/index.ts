// Transactional outbox, inbox and event consumer: how services publish and consume integration
// events exactly once in effect over at-least-once Kafka delivery.
export * from './messaging-constants';
export * from './messaging-logger';
export * from './messaging-entities';
export * from './create-messaging-tables.migration';
export * from './outbox-payload';
export * from './enqueue-event';
export * from './outbox-relay';
export * from './outbox.module';
export * from './record-inbox';
export * from './event-consumer';
export * from './unprocessable-event.error';
export * from './wakeup';
export * from './messaging-retention';
export * from './index-inbox-by-age.migration';
export * from './add-outbox-traceparent.migration';
export * from './dead-letters';
