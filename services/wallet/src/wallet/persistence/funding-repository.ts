import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { FundingCompletion } from '../domain/decide-charge-confirmation';
import type { NewTransaction } from '../domain/ledger-transaction';
import { toStoredTransaction, TRANSACTION_COLUMNS, type StoredTransaction, type TransactionRow } from './rows';

/** A pending funding the reconciler should ask the processor about. */
export interface PendingFunding {
  readonly transactionId: string;
  readonly processorReference: string;
}

/**
 * Fundings through the payment processor: the PENDING row that reserves a client's reference, and
 * its end (COMPLETED with its credit, or FAILED). The processor's reference has its own column
 * with a unique index, so a webhook finds its funding in one lookup and one charge can never
 * credit two fundings.
 */
@Injectable()
export class FundingRepository {
  async insertPending(manager: EntityManager, transaction: NewTransaction, processorReference: string): Promise<StoredTransaction> {
    const rows: TransactionRow[] = await manager.query(
      `INSERT INTO wallet_transactions (id, wallet_id, user_id, type, status, amount, currency, reference, request_fingerprint,
         available_after, details, processor_reference, created_at, updated_at)
       VALUES ($1, $2, $3, 'FUNDING', 'PENDING', $4, $5, $6, $7, $8, $9::jsonb, $10, clock_timestamp(), clock_timestamp())
       RETURNING ${TRANSACTION_COLUMNS}`,
      [
        transaction.id,
        transaction.walletId,
        transaction.userId,
        transaction.amount.toString(),
        transaction.currency,
        transaction.reference,
        transaction.requestFingerprint,
        transaction.availableAfter.toString(),
        JSON.stringify(transaction.details),
        processorReference,
      ],
    );
    const [row] = rows;
    if (!row) throw new Error('INSERT ... RETURNING gave no row');
    return toStoredTransaction(row);
  }

  /** Adds the processor's checkout page to a funding's details, once the charge is initialized. */
  async recordCheckout(manager: EntityManager, transactionId: string, checkoutUrl: string): Promise<StoredTransaction> {
    const [rows]: [TransactionRow[], number] = await manager.query(
      `UPDATE wallet_transactions SET details = details || jsonb_build_object('checkoutUrl', $2::text), updated_at = now()
        WHERE id = $1 AND type = 'FUNDING' RETURNING ${TRANSACTION_COLUMNS}`,
      [transactionId, checkoutUrl],
    );
    const [row] = rows;
    if (!row) throw new Error(`funding ${transactionId} vanished`);
    return toStoredTransaction(row);
  }

  /** The funding charged under `processorReference`, locked until the transaction ends, so one charge is applied once at a time. */
  async lockByProcessorReference(manager: EntityManager, processorReference: string): Promise<StoredTransaction | null> {
    const rows: TransactionRow[] = await manager.query(
      `SELECT ${TRANSACTION_COLUMNS} FROM wallet_transactions WHERE processor_reference = $1 AND type = 'FUNDING' FOR UPDATE`,
      [processorReference],
    );
    return rows[0] ? toStoredTransaction(rows[0]) : null;
  }

  /** Without a lock: what a webhook is screened against before the processor is asked. */
  async findByProcessorReference(manager: EntityManager, processorReference: string): Promise<StoredTransaction | null> {
    const rows: TransactionRow[] = await manager.query(`SELECT ${TRANSACTION_COLUMNS} FROM wallet_transactions WHERE processor_reference = $1 AND type = 'FUNDING'`, [
      processorReference,
    ]);
    return rows[0] ? toStoredTransaction(rows[0]) : null;
  }

  async complete(manager: EntityManager, completion: FundingCompletion): Promise<void> {
    await manager.query(
      `UPDATE wallet_transactions SET status = 'COMPLETED', failure_reason = NULL, available_after = $2, details = details || $3::jsonb, updated_at = now()
        WHERE id = $1 AND type = 'FUNDING' AND status <> 'COMPLETED'`,
      [completion.transactionId, completion.availableAfter.toString(), JSON.stringify(completion.details)],
    );
  }

  async fail(manager: EntityManager, transactionId: string, failureReason: string): Promise<void> {
    await manager.query(
      `UPDATE wallet_transactions SET status = 'FAILED', failure_reason = $2, updated_at = now() WHERE id = $1 AND type = 'FUNDING' AND status <> 'COMPLETED'`,
      [transactionId, failureReason],
    );
  }

  /** Marks a funding as just asked about, which sends it to the back of the reconciler's queue. */
  async markChecked(manager: EntityManager, transactionId: string): Promise<void> {
    await manager.query(`UPDATE wallet_transactions SET updated_at = now() WHERE id = $1 AND type = 'FUNDING' AND status = 'PENDING'`, [transactionId]);
  }

  /**
   * Up to `limit` PENDING fundings recorded before `recordedBefore`, the longest unchecked first:
   * the reconciler's next round. A charge the customer has not paid yet goes to the back after each
   * check, so it cannot keep the others from being asked about.
   */
  async pendingRecordedBefore(manager: EntityManager, recordedBefore: Date, limit: number): Promise<PendingFunding[]> {
    const rows: { id: string; processor_reference: string }[] = await manager.query(
      `SELECT id, processor_reference FROM wallet_transactions
        WHERE type = 'FUNDING' AND status = 'PENDING' AND processor_reference IS NOT NULL AND created_at < $1
        ORDER BY updated_at LIMIT $2`,
      [recordedBefore, limit],
    );
    return rows.map((row) => ({ transactionId: row.id, processorReference: row.processor_reference }));
  }
}
