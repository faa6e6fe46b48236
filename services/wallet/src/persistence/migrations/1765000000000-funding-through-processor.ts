import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Money enters through a payment processor: a FUNDING is recorded PENDING when the charge is
 * initialized (it reserves the client's reference and moves nothing), becomes COMPLETED with its
 * CREDIT entry once the processor's charge is verified, and FAILED when the processor says the
 * charge failed or was abandoned. A sandbox credit is COMPLETED at once, as before.
 */
export class FundingThroughProcessor1765000000000 implements MigrationInterface {
  name = 'FundingThroughProcessor1765000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE wallet_transactions DROP CONSTRAINT wallet_transactions_status_by_type');
    await queryRunner.query(`
      ALTER TABLE wallet_transactions ADD CONSTRAINT wallet_transactions_status_by_type CHECK (
        (type = 'FUNDING' AND status IN ('PENDING', 'COMPLETED', 'FAILED'))
        OR (type = 'REVERSAL' AND status = 'COMPLETED')
        OR type = 'PAYMENT'
      )`);
    // The processor's reference of a charge, for the webhook's lookup; unique, so one charge can never credit two fundings.
    await queryRunner.query('ALTER TABLE wallet_transactions ADD COLUMN processor_reference text');
    await queryRunner.query(
      `ALTER TABLE wallet_transactions ADD CONSTRAINT wallet_transactions_processor_reference_on_funding CHECK (processor_reference IS NULL OR type = 'FUNDING')`,
    );
    await queryRunner.query('CREATE UNIQUE INDEX wallet_transactions_processor_reference ON wallet_transactions (processor_reference) WHERE processor_reference IS NOT NULL');
    // The reconciler's scan: pending fundings, oldest first, without reading the whole book.
    await queryRunner.query(`CREATE INDEX wallet_transactions_pending_funding ON wallet_transactions (created_at) WHERE type = 'FUNDING' AND status = 'PENDING'`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX wallet_transactions_pending_funding');
    await queryRunner.query('DROP INDEX wallet_transactions_processor_reference');
    await queryRunner.query('ALTER TABLE wallet_transactions DROP CONSTRAINT wallet_transactions_processor_reference_on_funding');
    await queryRunner.query('ALTER TABLE wallet_transactions DROP COLUMN processor_reference');
    await queryRunner.query('ALTER TABLE wallet_transactions DROP CONSTRAINT wallet_transactions_status_by_type');
    await queryRunner.query(`
      ALTER TABLE wallet_transactions ADD CONSTRAINT wallet_transactions_status_by_type CHECK (
        (type = 'FUNDING' AND status = 'COMPLETED')
        OR (type = 'REVERSAL' AND status = 'COMPLETED')
        OR type = 'PAYMENT'
      )`);
  }
}
