import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The ledger's shape carries its invariants, so that a bug in code cannot commit a broken book:
 * balances never negative, amounts positive, one idempotency reference per wallet, at most one
 * REVERSAL per PAYMENT, and one ledger entry per wallet version.
 */
export class CreateWalletLedger1764200000000 implements MigrationInterface {
  name = 'CreateWalletLedger1764200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE wallets (
        id uuid PRIMARY KEY,
        user_id uuid NOT NULL,
        currency char(3) NOT NULL,
        available bigint NOT NULL DEFAULT 0,
        held bigint NOT NULL DEFAULT 0,
        version integer NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT wallets_user_unique UNIQUE (user_id),
        CONSTRAINT wallets_available_not_negative CHECK (available >= 0),
        CONSTRAINT wallets_held_not_negative CHECK (held >= 0),
        CONSTRAINT wallets_version_not_negative CHECK (version >= 0)
      )`);
    await queryRunner.query(`
      CREATE TABLE wallet_transactions (
        id uuid PRIMARY KEY,
        wallet_id uuid NOT NULL REFERENCES wallets (id),
        user_id uuid NOT NULL,
        type text NOT NULL CHECK (type IN ('FUNDING', 'PAYMENT', 'REVERSAL')),
        status text NOT NULL CHECK (status IN ('PENDING', 'COMPLETED', 'FAILED', 'REVERSED')),
        amount bigint NOT NULL CHECK (amount > 0),
        currency char(3) NOT NULL,
        reference text,
        request_fingerprint text,
        payment_id uuid,
        reverses_transaction_id uuid REFERENCES wallet_transactions (id),
        available_after bigint NOT NULL,
        failure_reason text,
        details jsonb NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT wallet_transactions_reference_unique UNIQUE (wallet_id, reference),
        CONSTRAINT wallet_transactions_client_reference CHECK ((type = 'REVERSAL') = (reference IS NULL)),
        CONSTRAINT wallet_transactions_payment_link CHECK ((type = 'FUNDING') = (payment_id IS NULL)),
        CONSTRAINT wallet_transactions_reversal_link CHECK ((type = 'REVERSAL') = (reverses_transaction_id IS NOT NULL)),
        CONSTRAINT wallet_transactions_status_by_type CHECK (
          (type = 'FUNDING' AND status = 'COMPLETED')
          OR (type = 'REVERSAL' AND status = 'COMPLETED')
          OR type = 'PAYMENT'
        )
      )`);
    await queryRunner.query(`CREATE UNIQUE INDEX wallet_transactions_one_reversal ON wallet_transactions (reverses_transaction_id) WHERE type = 'REVERSAL'`);
    await queryRunner.query(`CREATE UNIQUE INDEX wallet_transactions_one_payment ON wallet_transactions (payment_id) WHERE type = 'PAYMENT'`);
    // The history pages newest first with (created_at, id) as the cursor.
    await queryRunner.query(`CREATE INDEX wallet_transactions_history ON wallet_transactions (wallet_id, created_at DESC, id DESC)`);
    await queryRunner.query(`
      CREATE TABLE ledger_entries (
        id bigserial PRIMARY KEY,
        wallet_id uuid NOT NULL REFERENCES wallets (id),
        transaction_id uuid NOT NULL REFERENCES wallet_transactions (id),
        entry_type text NOT NULL CHECK (entry_type IN ('CREDIT', 'HOLD', 'POST', 'RELEASE')),
        available_delta bigint NOT NULL,
        held_delta bigint NOT NULL,
        available_after bigint NOT NULL CHECK (available_after >= 0),
        held_after bigint NOT NULL CHECK (held_after >= 0),
        wallet_version integer NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT ledger_entries_one_per_version UNIQUE (wallet_id, wallet_version),
        CONSTRAINT ledger_entries_one_per_step UNIQUE (transaction_id, entry_type)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE ledger_entries');
    await queryRunner.query('DROP TABLE wallet_transactions');
    await queryRunner.query('DROP TABLE wallets');
  }
}
