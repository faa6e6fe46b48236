import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The retention job deletes inbox rows oldest first (MessagingRetention); without this index each
 * round would read the whole inbox to find them. List it after CreateMessagingTables.
 */
export class IndexInboxByAge1765100000000 implements MigrationInterface {
  name = 'IndexInboxByAge1765100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('CREATE INDEX inbox_received_at_idx ON inbox (received_at)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX inbox_received_at_idx');
  }
}
