import { EntitySchema } from 'typeorm';

/** A row of `outbox`, as TypeORM maps it. `id` is a bigint, so a string (JS numbers stop at 2^53). */
export interface OutboxRow {
  readonly id: string;
  readonly eventId: string;
  readonly topic: string;
  readonly messageKey: string;
  readonly eventType: string;
  /** The event as JSON, `long`s as decimal strings. */
  readonly payload: Record<string, unknown>;
  readonly headers: Record<string, string>;
  /** W3C trace context of the transaction that wrote the row; the relay publishes under it. */
  readonly traceparent: string | null;
  readonly createdAt: Date;
  readonly publishedAt: Date | null;
  /** Failed publish attempts so far (encoding or sending); a successful publish leaves it alone. */
  readonly attempts: number;
  readonly lastError: string | null;
}

/** A row of `inbox`: the consumer group `consumer` has applied the event `eventId`. */
export interface InboxRow {
  readonly consumer: string;
  readonly eventId: string;
  readonly topic: string;
  readonly receivedAt: Date;
}

/*
 * Mapped with EntitySchema rather than decorated classes: the rows are plain data, and services
 * read them only for operations (backlog, audits). The relay, enqueueEvent and recordInbox use SQL
 * of their own, so they work on any DataSource pointed at the migrated database. The names below
 * match the migration, so TypeORM's schema diff sees nothing to change.
 */
export const OUTBOX_ENTITY = new EntitySchema<OutboxRow>({
  name: 'OutboxRow',
  tableName: 'outbox',
  columns: {
    id: { type: 'bigint', primary: true, generated: 'increment', primaryKeyConstraintName: 'outbox_pkey' },
    eventId: { name: 'event_id', type: 'uuid' },
    topic: { type: 'text' },
    messageKey: { name: 'message_key', type: 'text' },
    eventType: { name: 'event_type', type: 'text' },
    payload: { type: 'jsonb' },
    headers: { type: 'jsonb' },
    traceparent: { type: 'text', nullable: true },
    createdAt: { name: 'created_at', type: 'timestamptz', default: () => 'now()' },
    publishedAt: { name: 'published_at', type: 'timestamptz', nullable: true },
    attempts: { type: 'integer', default: 0 },
    lastError: { name: 'last_error', type: 'text', nullable: true },
  },
  uniques: [{ name: 'outbox_event_id_key', columns: ['eventId'] }],
  indices: [{ name: 'outbox_unpublished_idx', columns: ['id'], where: 'published_at IS NULL' }],
});

export const INBOX_ENTITY = new EntitySchema<InboxRow>({
  name: 'InboxRow',
  tableName: 'inbox',
  columns: {
    consumer: { type: 'text', primary: true, primaryKeyConstraintName: 'inbox_pkey' },
    eventId: { name: 'event_id', type: 'uuid', primary: true, primaryKeyConstraintName: 'inbox_pkey' },
    topic: { type: 'text' },
    receivedAt: { name: 'received_at', type: 'timestamptz', default: () => 'now()' },
  },
});

/** Spread into a service's entities: `entities: [...MESSAGING_ENTITIES, ...own]`. */
export const MESSAGING_ENTITIES: readonly EntitySchema[] = Object.freeze([OUTBOX_ENTITY, INBOX_ENTITY]);
