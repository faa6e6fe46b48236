import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The outbox and the inbox, added by every service that publishes or consumes events (list it
 * among the service's migrations; its timestamp orders it before the service's own tables).
 *
 * outbox: events recorded in the same transaction as the change they describe, published later
 *   by the relay in `id` order. `payload` is the event as JSON with Avro `long`s written as
 *   decimal strings (lossless; see outbox-payload.ts). Published rows stay for audit and replay;
 *   pruning them is a retention job's business, not the relay's.
 * inbox: one row per (consumer group, event id) applied, written in the transaction that applied
 *   the event, so a redelivery finds it and changes nothing.
 */
export class CreateMessagingTables1764000000000 implements MigrationInterface {
  name = 'CreateMessagingTables1764000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE outbox (
        id bigserial NOT NULL,
        event_id uuid NOT NULL,
        topic text NOT NULL,
        message_key text NOT NULL,
        event_type text NOT NULL,
        payload jsonb NOT NULL,
        headers jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        published_at timestamptz NULL,
        attempts integer NOT NULL DEFAULT 0,
        last_error text NULL,
        CONSTRAINT outbox_pkey PRIMARY KEY (id),
        CONSTRAINT outbox_event_id_key UNIQUE (event_id)
      )`);
    // The relay's only query path: the unpublished rows, in order. Stays small however long the table grows.
    await queryRunner.query('CREATE INDEX outbox_unpublished_idx ON outbox (id) WHERE published_at IS NULL');
    await queryRunner.query(`
      CREATE TABLE inbox (
        consumer text NOT NULL,
        event_id uuid NOT NULL,
        topic text NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT inbox_pkey PRIMARY KEY (consumer, event_id)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE inbox');
    await queryRunner.query('DROP TABLE outbox');
  }
}
