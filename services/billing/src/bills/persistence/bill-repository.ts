import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { outboxInsert, outboxParameters, PreparedStatement, type OutboxItem } from '@bvs/platform';
import { DataSource, EntityManager } from 'typeorm';
import type { Bill, PendingBill, RequestedPayment, Settlement } from '../domain/bill';
import { billColumns, BillRow, toBill } from './bill-row';

/**
 * The channel a new bill is announced on. PostgreSQL delivers a NOTIFY only when its transaction
 * commits, so a listener never wakes for a bill it cannot see yet, nor for one rolled back.
 */
export const BILLS_DUE_CHANNEL = 'bvs_bills_due';

/** Enough of a provider's error text to diagnose a stuck bill, without letting one answer grow the row. */
const MAX_LAST_ERROR_CHARS = 500;

const BILLS_BY_ID = new PreparedStatement('bills_by_id', `SELECT ${billColumns()} FROM bill_payments WHERE id = ANY($1::uuid[])`);
const CLAIM_DUE_BILLS = new PreparedStatement(
  'bills_claim_due',
  `WITH due AS (
     SELECT id, vend_sent_at AS sent_before FROM bill_payments
      WHERE status = 'PENDING' AND next_attempt_at <= now() AND (claimed_until IS NULL OR claimed_until < now())
      ORDER BY next_attempt_at LIMIT $2 FOR UPDATE SKIP LOCKED)
   UPDATE bill_payments AS bill
      SET claimed_until = now() + make_interval(secs => $1::double precision / 1000),
          next_attempt_at = now() + make_interval(secs => $1::double precision / 1000), attempts = bill.attempts + 1,
          vend_sent_at = coalesce(bill.vend_sent_at, now()), updated_at = now()
     FROM due WHERE bill.id = due.id
   RETURNING ${billColumns('bill.')}, due.sent_before`,
);
const INSERT_PENDING_BILLS = new PreparedStatement(
  'bills_insert_pending',
  `WITH inserted AS (
     INSERT INTO bill_payments (id, user_id, wallet_id, transaction_id, status, amount, currency, meter_number, provider_code, client_reference, correlation_id, traceparent)
     SELECT id, user_id, wallet_id, transaction_id, 'PENDING', amount, currency, meter_number, provider_code, client_reference, correlation_id, traceparent
       FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::bigint[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[])
            AS given (id, user_id, wallet_id, transaction_id, amount, currency, meter_number, provider_code, client_reference, correlation_id, traceparent)
     ON CONFLICT (id) DO NOTHING
     RETURNING id)
   SELECT id, pg_notify($12, '') AS announced FROM inserted`,
);
/**
 * The provider's definite answers written on the bills still PENDING, and the outcome event of
 * each bill written, in one statement (one round trip, atomic on its own, its NOTIFY delivered on
 * its commit). A bill another settler ended since it was read is left as it is, and so is its event.
 */
const SETTLE_BILLS = new PreparedStatement(
  'bills_settle',
  `WITH settled AS (
     UPDATE bill_payments SET status = answer.status,
            token = CASE WHEN answer.status = 'COMPLETED' THEN answer.token ELSE bill_payments.token END,
            units = CASE WHEN answer.status = 'COMPLETED' THEN answer.units ELSE bill_payments.units END,
            failure_code = CASE WHEN answer.status = 'FAILED' THEN answer.failure_code ELSE bill_payments.failure_code END,
            failure_message = CASE WHEN answer.status = 'FAILED' THEN answer.failure_message ELSE bill_payments.failure_message END,
            last_error = CASE WHEN answer.status = 'COMPLETED' THEN NULL ELSE bill_payments.last_error END,
            provider_reference = COALESCE(answer.provider_reference, bill_payments.provider_reference),
            completed_at = now(), updated_at = now(), claimed_until = NULL
       FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])
            AS answer (id, status, token, units, provider_reference, failure_code, failure_message)
      WHERE bill_payments.id = answer.id AND bill_payments.status = 'PENDING'
      RETURNING bill_payments.id),
   events AS (${outboxInsert(8, { among: 'SELECT id FROM settled' })})
   SELECT id FROM settled`,
);

/** A definite answer to write on its bill, with the outcome event that announces it. */
export interface AnnouncedSettlement {
  readonly billId: string;
  readonly settlement: Settlement;
  readonly event: OutboxItem;
}

/**
 * All SQL on `bill_payments` for the bill's life: recording, claiming, vending, settling and
 * reconciling. Times written here are the database's clock, so replicas and restarts agree. The
 * rules (what may happen to a bill) are the domain's; this class only stores their decisions.
 */
@Injectable()
export class BillRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The bills with these ids that exist, keyed by id. */
  async findAll(manager: EntityManager, billIds: readonly string[]): Promise<Map<string, Bill>> {
    const { rows } = await BILLS_BY_ID.run<BillRow>(manager, [billIds]);
    return new Map(rows.map((row) => [row.id, toBill(row)]));
  }

  /**
   * New PENDING bills, not yet sent, announced to the workers on commit with one notification
   * (PostgreSQL delivers a transaction's identical notifications once). The key is the payment id,
   * so a payment that has a bill already, whatever became of it, inserts nothing and announces
   * nothing. Returns the ids of the bills inserted.
   */
  async insertPending(manager: EntityManager, payments: readonly RequestedPayment[]): Promise<Set<string>> {
    if (payments.length === 0) return new Set();
    const column = <T>(pick: (payment: RequestedPayment) => T) => payments.map(pick);
    const { rows } = await INSERT_PENDING_BILLS.run<{ id: string }>(manager, [
      column((payment) => payment.paymentId),
      column((payment) => payment.userId),
      column((payment) => payment.walletId),
      column((payment) => payment.transactionId),
      column((payment) => payment.amountMinor.toString()),
      column((payment) => payment.currency),
      column((payment) => payment.meterNumber),
      column((payment) => payment.providerCode),
      column((payment) => payment.clientReference),
      column((payment) => payment.correlationId),
      column((payment) => payment.traceparent),
      BILLS_DUE_CHANNEL,
    ]);
    return new Set(rows.map((row) => row.id));
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
   *
   * A claimed bill is due again when its lease ends (`next_attempt_at` moves with `claimed_until`):
   * the next claim's walk of the due index then stops at bills due now, instead of reading past
   * every bill in flight (hundreds, with a slow provider) and filtering them on `claimed_until`.
   * A step that ends sets the next time itself (settled, or a requery scheduled), so only a lapsed
   * lease, a worker gone, leaves the bill due at the lease's end, as before.
   */
  async claimDue(leaseMs: number, limit: number): Promise<PendingBill[]> {
    const { rows } = await CLAIM_DUE_BILLS.run<BillRow & { sent_before: Date | null }>(this.dataSource.manager, [leaseMs, limit]);
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
   * Settles the bills still PENDING with their answers and writes the events of those it settled,
   * needing no transaction around it; returns their ids. The PENDING condition is the domain's
   * decision repeated in the statement, so a bill read as PENDING but ended since is left alone
   * and the caller decides its answer again. One answer per bill.
   */
  async settle(manager: EntityManager, answers: readonly AnnouncedSettlement[]): Promise<Set<string>> {
    if (answers.length === 0) return new Set();
    const column = <T>(pick: (settlement: Settlement) => T) => answers.map((answer) => pick(answer.settlement));
    const { rows } = await SETTLE_BILLS.run<{ id: string }>(manager, [
      answers.map((answer) => answer.billId),
      column((settlement) => settlement.status),
      column((settlement) => (settlement.status === 'COMPLETED' ? settlement.token : null)),
      column((settlement) => (settlement.status === 'COMPLETED' ? settlement.units : null)),
      column((settlement) => settlement.providerReference),
      column((settlement) => (settlement.status === 'FAILED' ? settlement.reasonCode : null)),
      column((settlement) => (settlement.status === 'FAILED' ? settlement.reasonMessage : null)),
      ...outboxParameters(answers.map((answer) => answer.event)),
      answers.map((answer) => answer.billId),
    ]);
    return new Set(rows.map((row) => row.id));
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
}

/** Claimed rows are PENDING by the claim's own condition; anything else is a broken query, not a bill to vend. */
function toPendingBill(row: BillRow): PendingBill {
  const bill = toBill(row);
  if (bill.status !== 'PENDING') throw new Error(`Claimed bill ${row.id} is ${bill.status}`);
  return bill;
}
