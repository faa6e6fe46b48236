import { eventKeyOf, type EventByTopic, type EventTopic } from '@bvs/contracts';
import type { EntityManager } from 'typeorm';
import { PreparedStatement } from '../persistence/prepared-statement';
import { activeTraceparent } from '../tracing/trace-context';
import { EVENT_HEADERS, OUTBOX_CHANNEL } from './messaging-constants';
import { toOutboxPayload } from './outbox-payload';
import { requireTransaction } from './require-transaction';

export interface EnqueueEventOptions {
  /** Extra Kafka headers. The standard event headers and the trace context (set by the relay) cannot be overridden. */
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * The trace the event belongs to (W3C traceparent), stored with the row so the relay publishes
   * under it. Defaults to the active trace; a writer that records several requests' events in one
   * transaction (group commit, a consumer's slice) passes each request's own. Null: none.
   */
  readonly traceparent?: string | null;
}

/** One event for the outbox: the topic it goes to, the event, and its extra headers. */
export type OutboxItem = {
  [T in EventTopic]: { readonly topic: T; readonly event: EventByTopic[T]; readonly options?: EnqueueEventOptions };
}[EventTopic];

/** The outbox's columns, in the order `outboxInsert` reads its parameters. */
const OUTBOX_INSERT_PARAMETERS = 7;

/**
 * The outbox INSERT as a statement of its own or as a data-modifying CTE of a larger one, so that
 * an event and the rows it announces still commit together in one round trip. It reads one array
 * per column from `$first` on (`outboxParameters` gives them, in order), then the NOTIFY channel.
 * With `gate`, one more array follows (`$first + 8`, uuid per row) and only the rows whose gate
 * value is in `gate.among` (SQL yielding one uuid column) are written: a writer's events for rows
 * its own statement decided not to write. Rows go in the order given, which is the relay's order.
 *
 * The NOTIFY comes from the RETURNING list, evaluated for every row inserted whether or not the
 * statement reads it. PostgreSQL folds a channel's identical notifications into one per
 * transaction and delivers it only on commit, so the relay wakes once, when it can see the rows.
 */
export function outboxInsert(first: number, gate?: { readonly among: string }): string {
  const parameter = (offset: number) => `$${first + offset}`;
  const arrays = ['uuid', 'text', 'text', 'text', 'text', 'text', 'text'].map((type, offset) => `${parameter(offset)}::${type}[]`);
  const channel = parameter(OUTBOX_INSERT_PARAMETERS);
  const gated = gate ? { array: `, ${parameter(OUTBOX_INSERT_PARAMETERS + 1)}::uuid[]`, column: ', gate', where: `WHERE given.gate IN (${gate.among})` } : { array: '', column: '', where: '' };
  return `INSERT INTO outbox (event_id, topic, message_key, event_type, payload, headers, traceparent)
     SELECT event_id, topic, message_key, event_type, payload::jsonb, headers::jsonb, traceparent
       FROM unnest(${arrays.join(', ')}${gated.array})
            WITH ORDINALITY AS given (event_id, topic, message_key, event_type, payload, headers, traceparent${gated.column}, position)
      ${gated.where}
      ORDER BY position
     RETURNING pg_notify(${channel}::text, '')`;
}

const INSERT_OUTBOX_ROWS = new PreparedStatement('outbox_insert', outboxInsert(1));

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
  await enqueueEvents(manager, [{ topic, event, options } as OutboxItem]);
}

/**
 * `enqueueEvent` for several events in one statement and one NOTIFY, as a group commit writes
 * them. Rows are inserted in the order given, which is the order the relay publishes them in.
 */
export async function enqueueEvents(manager: EntityManager, items: readonly OutboxItem[]): Promise<void> {
  requireTransaction(manager, 'enqueueEvents');
  if (items.length === 0) return;
  await INSERT_OUTBOX_ROWS.run(manager, outboxParameters(items));
}

/**
 * The parameters `outboxInsert` reads, from its `first` on: one array per column, each event's
 * payload validated against its topic's schema (`EventValidationError` otherwise), then the channel.
 */
export function outboxParameters(items: readonly OutboxItem[]): unknown[] {
  const active = activeTraceparent();
  const rows = items.map(({ topic, event, options }) => {
    const payload = toOutboxPayload(topic, event);
    const { eventId, eventType, correlationId } = event.metadata;
    const headers: Record<string, string> = {
      ...options?.headers,
      [EVENT_HEADERS.eventId]: eventId,
      [EVENT_HEADERS.eventType]: eventType,
      [EVENT_HEADERS.correlationId]: correlationId,
    };
    const traceparent = options?.traceparent === undefined ? active : options.traceparent;
    // As JSON text, cast per row: node-postgres would turn a JS array into a PostgreSQL array, not JSON.
    return { eventId, topic, key: eventKeyOf(topic, event), eventType, payload: JSON.stringify(payload), headers: JSON.stringify(headers), traceparent };
  });
  return [
    rows.map((row) => row.eventId),
    rows.map((row) => row.topic),
    rows.map((row) => row.key),
    rows.map((row) => row.eventType),
    rows.map((row) => row.payload),
    rows.map((row) => row.headers),
    rows.map((row) => row.traceparent),
    OUTBOX_CHANNEL,
  ];
}
