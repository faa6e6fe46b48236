import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One row per vend request the provider accepted for processing, refusals included, so a replay or
 * a requery always finds the same answer. The constraints restate the state machine, so even a bug
 * in the code cannot store a token on a failed vend or a pending vend without its outcome.
 */
export class CreateVends1764400000000 implements MigrationInterface {
  name = 'CreateVends1764400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE vends (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        request_id text NOT NULL,
        provider_code text NOT NULL,
        meter_number text NOT NULL,
        amount_kobo bigint NOT NULL,
        currency char(3) NOT NULL,
        meter_type text,
        customer_name text,
        fee_kobo bigint,
        tariff_kobo_per_kwh bigint,
        status text NOT NULL,
        reason_code text,
        token text,
        units_kwh numeric(12, 1),
        resolve_at timestamptz,
        resolves_to text,
        resolves_with_reason text,
        created_at timestamptz NOT NULL DEFAULT now(),
        completed_at timestamptz,
        CONSTRAINT vends_request_id_unique UNIQUE (request_id),
        CONSTRAINT vends_token_unique UNIQUE (token),
        CONSTRAINT vends_request_id_format CHECK (request_id ~ '^[A-Za-z0-9._:-]{1,64}$'),
        CONSTRAINT vends_meter_number_format CHECK (meter_number ~ '^[0-9]{6,20}$'),
        CONSTRAINT vends_amount_positive CHECK (amount_kobo > 0),
        CONSTRAINT vends_fee_not_negative CHECK (fee_kobo >= 0),
        CONSTRAINT vends_tariff_positive CHECK (tariff_kobo_per_kwh > 0),
        CONSTRAINT vends_meter_type_known CHECK (meter_type IN ('PREPAID', 'POSTPAID')),
        CONSTRAINT vends_status_known CHECK (status IN ('SUCCESS', 'FAILED', 'PENDING')),
        CONSTRAINT vends_reason_iff_failed CHECK ((status = 'FAILED') = (reason_code IS NOT NULL)),
        CONSTRAINT vends_accepted_vend_complete CHECK (
          status = 'FAILED' OR (meter_type IS NOT NULL AND fee_kobo IS NOT NULL AND tariff_kobo_per_kwh IS NOT NULL AND customer_name IS NOT NULL)
        ),
        CONSTRAINT vends_token_format CHECK (token ~ '^[0-9]{20}$'),
        CONSTRAINT vends_units_positive CHECK (units_kwh > 0),
        CONSTRAINT vends_units_iff_token CHECK ((token IS NULL) = (units_kwh IS NULL)),
        CONSTRAINT vends_token_iff_prepaid_success CHECK ((token IS NOT NULL) = (status = 'SUCCESS' AND meter_type = 'PREPAID')),
        CONSTRAINT vends_resolves_to_known CHECK (resolves_to IN ('SUCCESS', 'FAILED')),
        CONSTRAINT vends_resolution_complete CHECK ((resolve_at IS NULL) = (resolves_to IS NULL)),
        CONSTRAINT vends_resolution_reason CHECK ((resolves_to = 'FAILED') = (resolves_with_reason IS NOT NULL)),
        CONSTRAINT vends_pending_resolves CHECK (status <> 'PENDING' OR resolve_at IS NOT NULL),
        CONSTRAINT vends_completed_iff_final CHECK ((status = 'PENDING') = (completed_at IS NULL))
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE vends');
  }
}
