import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The trace context of the transaction that wrote each outbox row (W3C traceparent), so the relay
 * publishes the event under that trace however much later it runs. Nullable: rows written before
 * this column, or by a process that does not trace, are published as the start of a new trace.
 * Adding a nullable column without a default rewrites nothing, so it is instant on a large outbox.
 * List it after CreateMessagingTables.
 */
export class AddOutboxTraceparent1765300000000 implements MigrationInterface {
  name = 'AddOutboxTraceparent1765300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE outbox ADD COLUMN traceparent text NULL');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE outbox DROP COLUMN traceparent');
  }
}
