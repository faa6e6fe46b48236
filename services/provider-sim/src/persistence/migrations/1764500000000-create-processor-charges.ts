import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One row per charge the simulated payment processor initialized, kept for good (a merchant may
 * verify a charge long after it was paid). Amounts are bigint minor units. The status column holds
 * what a payment did ('ongoing' until one ended); 'abandoned' is never stored but read from
 * expires_at (see chargeStatusAt), so no timer has to run for it. The constraints restate the
 * state machine: only a success has a paid amount and a paid_at, only an ended payment a channel.
 */
export class CreateProcessorCharges1764500000000 implements MigrationInterface {
  name = 'CreateProcessorCharges1764500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE processor_charges (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        reference text NOT NULL,
        access_code text NOT NULL,
        email text NOT NULL,
        amount_minor bigint NOT NULL,
        currency char(3) NOT NULL,
        callback_url text,
        metadata jsonb,
        status text NOT NULL DEFAULT 'ongoing',
        channel text,
        gateway_response text,
        paid_amount_minor bigint,
        paid_currency char(3),
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        completed_at timestamptz,
        paid_at timestamptz,
        CONSTRAINT processor_charges_reference_unique UNIQUE (reference),
        CONSTRAINT processor_charges_access_code_unique UNIQUE (access_code),
        CONSTRAINT processor_charges_reference_format CHECK (reference ~ '^[A-Za-z0-9.=-]{1,100}$'),
        CONSTRAINT processor_charges_access_code_format CHECK (access_code ~ '^[a-z0-9]{20}$'),
        CONSTRAINT processor_charges_email_length CHECK (length(email) BETWEEN 3 AND 254),
        CONSTRAINT processor_charges_amount_positive CHECK (amount_minor > 0),
        CONSTRAINT processor_charges_currency_format CHECK (currency ~ '^[A-Z]{3}$'),
        CONSTRAINT processor_charges_metadata_object CHECK (metadata IS NULL OR jsonb_typeof(metadata) = 'object'),
        CONSTRAINT processor_charges_status_known CHECK (status IN ('ongoing', 'success', 'failed')),
        CONSTRAINT processor_charges_channel_known CHECK (channel IN ('card', 'bank_transfer')),
        CONSTRAINT processor_charges_paid_amount_positive CHECK (paid_amount_minor > 0),
        CONSTRAINT processor_charges_paid_currency_format CHECK (paid_currency ~ '^[A-Z]{3}$'),
        CONSTRAINT processor_charges_expiry_after_creation CHECK (expires_at > created_at),
        CONSTRAINT processor_charges_ended_iff_completed CHECK ((status = 'ongoing') = (completed_at IS NULL)),
        CONSTRAINT processor_charges_ended_has_outcome CHECK ((status = 'ongoing') = (channel IS NULL AND gateway_response IS NULL)),
        CONSTRAINT processor_charges_paid_iff_success CHECK (
          (status = 'success') = (paid_amount_minor IS NOT NULL AND paid_currency IS NOT NULL AND paid_at IS NOT NULL)
        ),
        CONSTRAINT processor_charges_paid_at_is_completion CHECK (paid_at IS NULL OR paid_at = completed_at),
        CONSTRAINT processor_charges_nothing_paid_unless_success CHECK (
          status = 'success' OR (paid_amount_minor IS NULL AND paid_currency IS NULL AND paid_at IS NULL)
        )
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE processor_charges');
  }
}
