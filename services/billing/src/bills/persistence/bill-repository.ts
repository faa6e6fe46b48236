import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { Bill, PendingBill, RequestedPayment, Settlement } from '../domain/bill';
import { BillRow, toBill } from './bill-row';

/**
 * The channel a new bill is announced on. PostgreSQL delivers a NOTIFY only when its transaction
 * commits, so a listener never wakes for a bill it cannot see yet, nor for one rolled back.
 */
export const BILLS_DUE_CHANNEL = 'bvs_bills_due';

/** Enough of a provider's error text to diagnose a stuck bill, without letting one answer grow the row. */
const MAX_LAST_ERROR_CHARS = 500;

/**
 * All SQL on `bill_payments` for the bill's life: recording, claiming, vending, settling and
 * reconciling. Times written here are the database's clock, so replicas and restarts agree. The
 * rules (what may happen to a bill) are the domain's; this class only stores their decisions.
 */
@Injectable()
export class BillRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async find(manager: EntityManager, billId: string): Promise<Bill | null> {
    return this.one(manager, 'SELECT * FROM bill_payments WHERE id = $1', billId);
  }

  /** The bill, locked until the transaction ends: nothing else can settle it meanwhile. */
  async lock(manager: EntityManager, billId: string): Promise<Bill | null> {
    return this.one(manager, 'SELECT * FROM bill_payments WHERE id = $1 FOR UPDATE', billId);
  }

  /**
   * A new PENDING bill, not yet sent, announced to the workers on commit. The key is the payment id,
   * so a racing duplicate inserts nothing and announces nothing.
   */
  async insertPending(manager: EntityManager, payment: RequestedPayment): Promise<void> {
    await manager.query(
      `WITH inserted AS (
         INSERT INTO bill_payments (id, user_id, wallet_id, transaction_id, status, amount, currency, meter_number, provider_code, client_reference, correlation_id)
         VALUES ($1, $2, $3, $4, 'PENDING', $5, $6, $7, $8, $9, $10)
         ON CONFLICT (id) DO NOTHING
         RETURNING id)
       SELECT pg_notify($11, '') FROM inserted`,
      [
        payment.paymentId,
        payment.userId,
        payment.walletId,
        payment.transactionId,
        payment.amountMinor.toString(),
        payment.currency,
        payment.meterNumber,
        payment.providerCode,
        payment.clientReference,
        payment.correlationId,
        BILLS_DUE_CHANNEL,
      ],
    );
  }

  /**
   * Leases up to `limit` due, unclaimed PENDING bills for `leaseMs` and counts the attempt. Rows
   * another claimer holds are skipped, so two workers never get the same bill.
   *
   * The claim also records the vend as sent, in the same commit: a claimed bill's vend goes out
   * next, and from then on the provider may have it. Each bill comes back in the phase it had
   * before this claim, which decides its step (vend, or requery first). A worker that dies between
   * the claim and the call leaves a bill marked sent that the provider never got: its next step
   * asks first, hears "not received", and vends then, with the same request id.
   */
  async claimDue(leaseMs: number, limit: number): Promise<PendingBill[]> {
    const [rows]: [(BillRow & { sent_before: Date | null })[], number] = await this.dataSource.query(
      `WITH due AS (
         SELECT id, vend_sent_at AS sent_before FROM bill_payments
          WHERE status = 'PENDING' AND next_attempt_at <= now() AND (claimed_until IS NULL OR claimed_until < now())
          ORDER BY next_attempt_at LIMIT $2 FOR UPDATE SKIP LOCKED)
       UPDATE bill_payments AS bill
          SET claimed_until = now() + make_interval(secs => $1::double precision / 1000), attempts = bill.attempts + 1,
              vend_sent_at = coalesce(bill.vend_sent_at, now()), updated_at = now()
         FROM due WHERE bill.id = due.id
       RETURNING bill.*, due.sent_before`,
      [leaseMs, limit],
    );
    return rows.map(({ sent_before, ...row }) => toPendingBill({ ...row, vend_sent_at: sent_before }));
  }

  /** Releases the lease and makes the bill due again after `delayMs`; a bill settled meanwhile is left alone. */
  async scheduleRequery(billId: string, delayMs: number, reason: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE bill_payments SET next_attempt_at = now() + make_interval(secs => $2::double precision / 1000), claimed_until = NULL, last_error = $3, updated_at = now()
        WHERE id = $1 AND status = 'PENDING'`,
      [billId, delayMs, reason.slice(0, MAX_LAST_ERROR_CHARS)],
    );
  }

  /**
   * Writes the final status of a bill locked with `lock`. The PENDING condition repeats the
   * domain's decision in the statement itself, so a bill can never be settled twice even if a
   * caller forgot the lock; such a caller gets an error and its transaction rolls back.
   */
  async settle(manager: EntityManager, billId: string, settlement: Settlement): Promise<void> {
    const [updated]: [unknown[], number] =
      settlement.status === 'COMPLETED'
        ? await manager.query(
            `UPDATE bill_payments SET status = 'COMPLETED', token = $2, units = $3, provider_reference = $4, completed_at = now(), updated_at = now(),
                    claimed_until = NULL, last_error = NULL
              WHERE id = $1 AND status = 'PENDING' RETURNING id`,
            [billId, settlement.token, settlement.units, settlement.providerReference],
          )
        : await manager.query(
            `UPDATE bill_payments SET status = 'FAILED', failure_code = $2, failure_message = $3, provider_reference = COALESCE($4, provider_reference),
                    completed_at = now(), updated_at = now(), claimed_until = NULL
              WHERE id = $1 AND status = 'PENDING' RETURNING id`,
            [billId, settlement.reasonCode, settlement.reasonMessage, settlement.providerReference],
          );
    if (updated.length === 0) throw new Error(`Bill ${billId} was not PENDING when settled; settle only a bill locked and decided in this transaction`);
  }

  /** The database's clock as of the transaction's start, the same `now()` every statement in it sees. */
  async transactionNow(manager: EntityManager): Promise<Date> {
    const [row]: { now: Date }[] = await manager.query('SELECT now() AS now');
    if (!row) throw new Error('SELECT now() returned no row');
    return row.now;
  }

  /**
   * PENDING bills recorded before `cutoff` that no worker holds, locked for the reconciler; rows a
   * claimer has locked are skipped and looked at in the next pass.
   */
  async lockUnclaimedPendingRecordedBefore(manager: EntityManager, cutoff: Date): Promise<Bill[]> {
    const rows: BillRow[] = await manager.query(
      `SELECT * FROM bill_payments
        WHERE status = 'PENDING' AND created_at < $1 AND (claimed_until IS NULL OR claimed_until < now())
        FOR UPDATE SKIP LOCKED`,
      [cutoff],
    );
    return rows.map(toBill);
  }

  async makeDueNow(manager: EntityManager, billIds: readonly string[]): Promise<void> {
    if (billIds.length === 0) return;
    await manager.query('UPDATE bill_payments SET next_attempt_at = now(), updated_at = now() WHERE id = ANY($1::uuid[])', [billIds]);
  }

  private async one(manager: EntityManager, sql: string, billId: string): Promise<Bill | null> {
    const rows: BillRow[] = await manager.query(sql, [billId]);
    return rows[0] ? toBill(rows[0]) : null;
  }
}

/** Claimed rows are PENDING by the claim's own condition; anything else is a broken query, not a bill to vend. */
function toPendingBill(row: BillRow): PendingBill {
  const bill = toBill(row);
  if (bill.status !== 'PENDING') throw new Error(`Claimed bill ${row.id} is ${bill.status}`);
  return bill;
}
