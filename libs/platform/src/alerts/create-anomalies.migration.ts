import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Critical failures, kept where operators can see them (the seed's "critical failures trigger
 * alerts"): one row per alert raised, written in the transaction that found it where there is one,
 * and marked once the alert webhook took it.
 */
export class CreateAnomalies1765200000000 implements MigrationInterface {
  name = 'CreateAnomalies1765200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE anomalies (
        id bigserial PRIMARY KEY,
        alert text NOT NULL,
        summary text NOT NULL,
        details jsonb NOT NULL DEFAULT '{}',
        occurred_at timestamptz NOT NULL DEFAULT now(),
        notified_at timestamptz,
        notify_attempts integer NOT NULL DEFAULT 0,
        last_error text
      )`);
    // The notifier's only query path: what is still to be sent, oldest first.
    await queryRunner.query('CREATE INDEX anomalies_unnotified_idx ON anomalies (id) WHERE notified_at IS NULL');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE anomalies');
  }
}
