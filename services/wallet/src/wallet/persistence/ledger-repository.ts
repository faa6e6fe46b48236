import { Injectable } from '@nestjs/common';
import { QueryFailedError, type EntityManager } from 'typeorm';
import type { NewTransaction, PaymentSettlement } from '../domain/ledger-transaction';
import type { LedgerEntry } from '../domain/wallet';
import { toStoredTransaction, TRANSACTION_COLUMNS, type StoredTransaction, type TransactionRow } from './rows';

const UNIQUE_VIOLATION = '23505';
const REFERENCE_UNIQUE = 'wallet_transactions_reference_unique';

/**
 * The book: transactions and the ledger entry of every balance change. Its constraints (see the
 * migration) refuse a second use of a reference, a second REVERSAL of a payment and a second entry
 * for one wallet version, whatever the code above them does.
 */
@Injectable()
export class LedgerRepository {
  /** The transaction a client reference already made on this wallet, if any. */
  async findByReference(manager: EntityManager, walletId: string, reference: string): Promise<StoredTransaction | null> {
    const rows: TransactionRow[] = await manager.query(`SELECT ${TRANSACTION_COLUMNS} FROM wallet_transactions WHERE wallet_id = $1 AND reference = $2`, [
      walletId,
      reference,
    ]);
    return rows[0] ? toStoredTransaction(rows[0]) : null;
  }

  /** The PAYMENT, locked until the transaction ends, so that a completion and a failure of one payment never interleave. */
  async lockPayment(manager: EntityManager, transactionId: string): Promise<StoredTransaction | null> {
    const rows: TransactionRow[] = await manager.query(
      `SELECT ${TRANSACTION_COLUMNS} FROM wallet_transactions WHERE id = $1 AND type = 'PAYMENT' FOR UPDATE`,
      [transactionId],
    );
    return rows[0] ? toStoredTransaction(rows[0]) : null;
  }

  async insertTransaction(manager: EntityManager, transaction: NewTransaction): Promise<StoredTransaction> {
    const rows: TransactionRow[] = await manager.query(
      `INSERT INTO wallet_transactions (id, wallet_id, user_id, type, status, amount, currency, reference, request_fingerprint, payment_id,
         reverses_transaction_id, available_after, details)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
       RETURNING ${TRANSACTION_COLUMNS}`,
      [
        transaction.id,
        transaction.walletId,
        transaction.userId,
        transaction.type,
        transaction.status,
        transaction.amount.toString(),
        transaction.currency,
        transaction.reference,
        transaction.requestFingerprint,
        transaction.paymentId,
        transaction.reversesTransactionId,
        transaction.availableAfter.toString(),
        JSON.stringify(transaction.details),
      ],
    );
    const row = rows[0];
    if (!row) throw new Error('INSERT ... RETURNING gave no row');
    return toStoredTransaction(row);
  }

  /** One entry per balance change, after its transaction row exists; unique per wallet version. */
  async recordEntry(manager: EntityManager, entry: LedgerEntry): Promise<void> {
    await manager.query(
      `INSERT INTO ledger_entries (wallet_id, transaction_id, entry_type, available_delta, held_delta, available_after, held_after, wallet_version)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        entry.walletId,
        entry.transactionId,
        entry.entryType,
        entry.availableDelta.toString(),
        entry.heldDelta.toString(),
        entry.availableAfter.toString(),
        entry.heldAfter.toString(),
        entry.walletVersion,
      ],
    );
  }

  async settlePayment(manager: EntityManager, settlement: PaymentSettlement): Promise<void> {
    await manager.query(
      `UPDATE wallet_transactions SET status = $2, failure_reason = $3, details = details || $4::jsonb, updated_at = now() WHERE id = $1`,
      [settlement.transactionId, settlement.status, settlement.failureReason, JSON.stringify(settlement.details)],
    );
  }
}

/** True when `error` is a concurrent request having taken the same (wallet, reference) first. */
export function isReferenceTaken(error: unknown): boolean {
  if (!(error instanceof QueryFailedError)) return false;
  const driverError = error.driverError as { code?: string; constraint?: string };
  return driverError.code === UNIQUE_VIOLATION && driverError.constraint === REFERENCE_UNIQUE;
}
