import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Tells the planner what the model says: a wallet makes many transactions. ANALYZE, run while every
 * wallet had made one or two (a new deployment, a benchmark's funded users), recorded `wallet_id`
 * as close to unique. Looking up a reference by (wallet_id, reference) then cost the same through
 * the history index on `wallet_id` alone as through the unique key, and the generic plan of a
 * request batch's read took the history index: for a hot wallet, its whole history scanned per
 * request, and more with every payment. This setting stands in for ANALYZE's estimate at every
 * later ANALYZE (autovacuum's too): 20 transactions a wallet on average, whatever the sample said.
 */
export class ManyTransactionsPerWallet1765500000000 implements MigrationInterface {
  name = 'ManyTransactionsPerWallet1765500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE wallet_transactions ALTER COLUMN wallet_id SET (n_distinct = -0.05)');
    // The setting takes effect at the next ANALYZE; a book deployed before it should not wait for autovacuum's.
    await queryRunner.query('ANALYZE wallet_transactions');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE wallet_transactions ALTER COLUMN wallet_id RESET (n_distinct)');
  }
}
