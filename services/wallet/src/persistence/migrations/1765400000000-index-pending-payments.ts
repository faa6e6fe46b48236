import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Payments in flight, read without the whole book: the metrics' count and sum of what is held (the
 * audit's invariant: a wallet's held money is its pending payments), so no scrape scans a table.
 * INCLUDE lets the sum come from the index alone.
 */
export class IndexPendingPayments1765400000000 implements MigrationInterface {
  name = 'IndexPendingPayments1765400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX wallet_transactions_pending_payment ON wallet_transactions (created_at) INCLUDE (amount) WHERE type = 'PAYMENT' AND status = 'PENDING'`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX wallet_transactions_pending_payment');
  }
}
