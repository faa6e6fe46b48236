import { eventKeyOf, type EventByTopic, type EventTopic } from '@bvs/contracts';
import type { EntityManager } from 'typeorm';
import { EVENT_HEADERS, OUTBOX_CHANNEL } from './messaging-constants';
import { toOutboxPayload } from './outbox-payload';
import { requireTransaction } from './require-transaction';

export interface EnqueueEventOptions {
  /** Extra Kafka headers, e.g. the W3C `traceparent`. The standard event headers cannot be overridden. */
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * Records `event` for publication on `topic`, in the caller's transaction: it is published if and
 * only if that transaction commits. The key is the topic's key field (`eventKeyOf`), so one key's
 * events keep their order. Throws `EventValidationError` (writing nothing) for an event that does
 * not fit the topic's schema, and a unique violation for an event id recorded before.
 *
 * The NOTIFY is queued by PostgreSQL and delivered only on commit, so the relay wakes exactly when
 * there is something it can see; a rollback leaves neither row nor notification.
 */
export async function enqueueEvent<T extends EventTopic>(
  manager: EntityManager,
  topic: T,
  event: EventByTopic[T],
  options: EnqueueEventOptions = {},
): Promise<void> {
  requireTransaction(manager, 'enqueueEvent');
  const payload = toOutboxPayload(topic, event);
  const { eventId, eventType, correlationId } = event.metadata;
  const headers: Record<string, string> = {
    ...options.headers,
    [EVENT_HEADERS.eventId]: eventId,
    [EVENT_HEADERS.eventType]: eventType,
    [EVENT_HEADERS.correlationId]: correlationId,
  };
  // Serialised here: node-postgres would turn a JS array into a PostgreSQL array, not JSON.
  await manager.query(
    'INSERT INTO outbox (event_id, topic, message_key, event_type, payload, headers) VALUES ($1, $2, $3, $4, $5, $6)',
    [eventId, topic, eventKeyOf(topic, event), eventType, JSON.stringify(payload), JSON.stringify(headers)],
  );
  await manager.query(`NOTIFY ${OUTBOX_CHANNEL}`);
}
