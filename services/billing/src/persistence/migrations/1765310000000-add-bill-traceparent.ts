import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The trace a bill's payment was requested in (W3C traceparent), so each later step of the bill
 * (the vend, every requery, the outcome event) joins the purchase's trace, whichever replica works
 * it and however late. Nullable: bills recorded before this column, or untraced, start a new trace
 * per step. A nullable column without a default rewrites nothing.
 */
export class AddBillTraceparent1765310000000 implements MigrationInterface {
  name = 'AddBillTraceparent1765310000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE bill_payments ADD COLUMN traceparent text NULL');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE bill_payments DROP COLUMN traceparent');
  }
}
