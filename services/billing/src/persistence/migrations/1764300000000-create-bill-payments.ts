import { MigrationInterface, QueryRunner } from 'typeorm';

/** One row per bill payment, keyed by the wallet's payment id, so a redelivered request cannot make a second. */
export class CreateBillPayments1764300000000 implements MigrationInterface {
  name = 'CreateBillPayments1764300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE bill_payments (
        id uuid PRIMARY KEY,
        user_id uuid NOT NULL,
        wallet_id uuid NOT NULL,
        transaction_id uuid NOT NULL,
        status text NOT NULL CHECK (status IN ('PENDING', 'COMPLETED', 'FAILED')),
        amount bigint NOT NULL CHECK (amount > 0),
        currency char(3) NOT NULL,
        meter_number text NOT NULL,
        provider_code text NOT NULL,
        client_reference text NOT NULL,
        correlation_id text NOT NULL,
        token text,
        units text,
        provider_reference text,
        failure_code text,
        failure_message text,
        vend_sent_at timestamptz,
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        claimed_until timestamptz,
        last_error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        completed_at timestamptz,
        CONSTRAINT bill_payments_outcome CHECK (
          (status = 'PENDING' AND completed_at IS NULL)
          OR (status = 'COMPLETED' AND completed_at IS NOT NULL AND token IS NOT NULL)
          OR (status = 'FAILED' AND completed_at IS NOT NULL AND failure_code IS NOT NULL)
        )
      )`);
    await queryRunner.query(`CREATE INDEX bill_payments_due ON bill_payments (next_attempt_at) WHERE status = 'PENDING'`);
    await queryRunner.query(`CREATE INDEX bill_payments_history ON bill_payments (user_id, created_at DESC, id DESC)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE bill_payments');
  }
}
