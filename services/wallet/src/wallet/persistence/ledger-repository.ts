import { Injectable } from '@nestjs/common';
import { PreparedStatement } from '@bvs/platform';
import { QueryFailedError, type EntityManager } from 'typeorm';
import type { NewTransaction, PaymentSettlement } from '../domain/ledger-transaction';
import type { LedgerEntry } from '../domain/wallet';
import { toStoredTransaction, TRANSACTION_COLUMNS, type StoredTransaction, type TransactionRow } from './rows';

const UNIQUE_VIOLATION = '23505';
const REFERENCE_UNIQUE = 'wallet_transactions_reference_unique';

const TRANSACTIONS_BY_REFERENCES = new PreparedStatement(
  'transactions_by_references',
  `SELECT ${TRANSACTION_COLUMNS} FROM wallet_transactions
    WHERE (wallet_id, reference) IN (SELECT * FROM unnest($1::uuid[], $2::text[]))`,
);
const LOCK_TRANSACTIONS = new PreparedStatement(
  'transactions_lock',
  `SELECT ${TRANSACTION_COLUMNS} FROM wallet_transactions WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`,
);
/**
 * The INSERT of `insertTransactions`, as a statement or as a CTE of a larger one: reads
 * `transactionParameters` from `$first` on, keeps the rows `where` admits (a condition on
 * `given`'s columns, or none), inserts them in the order given and returns them as stored.
 */
export function insertTransactionsSql(first: number, where = ''): string {
  const types = ['uuid', 'uuid', 'uuid', 'text', 'text', 'bigint', 'char(3)', 'text', 'text', 'uuid', 'uuid', 'bigint', 'text'];
  return `INSERT INTO wallet_transactions (id, wallet_id, user_id, type, status, amount, currency, reference, request_fingerprint, payment_id,
     reverses_transaction_id, available_after, details, created_at, updated_at)
   SELECT id, wallet_id, user_id, type, status, amount, currency, reference, request_fingerprint, payment_id,
          reverses_transaction_id, available_after, details::jsonb, clock_timestamp(), clock_timestamp()
     FROM unnest(${types.map((type, offset) => `$${first + offset}::${type}[]`).join(', ')})
          WITH ORDINALITY AS given (id, wallet_id, user_id, type, status, amount, currency, reference, request_fingerprint, payment_id,
                                    reverses_transaction_id, available_after, details, position)
    ${where}
    ORDER BY position
   RETURNING ${TRANSACTION_COLUMNS}`;
}

/** How many parameters `insertTransactionsSql` reads, for a statement that runs it beside others. */
export const TRANSACTION_PARAMETERS = 13;

/** What `insertTransactionsSql` reads: one array per column. */
export function transactionParameters(transactions: readonly NewTransaction[]): unknown[] {
  const column = <T>(pick: (transaction: NewTransaction) => T) => transactions.map(pick);
  return [
    column((one) => one.id),
    column((one) => one.walletId),
    column((one) => one.userId),
    column((one) => one.type),
    column((one) => one.status),
    column((one) => one.amount.toString()),
    column((one) => one.currency),
    column((one) => one.reference),
    column((one) => one.requestFingerprint),
    column((one) => one.paymentId),
    column((one) => one.reversesTransactionId),
    column((one) => one.availableAfter.toString()),
    // As JSON text, cast per row: an array parameter carries text, not objects.
    column((one) => JSON.stringify(one.details)),
  ];
}

/** The INSERT of `recordEntries`, as a statement or a CTE: reads `entryParameters` from `$first` on, keeping the rows `where` admits. */
export function insertEntriesSql(first: number, where = ''): string {
  const types = ['uuid', 'uuid', 'text', 'bigint', 'bigint', 'bigint', 'bigint', 'int'];
  return `INSERT INTO ledger_entries (wallet_id, transaction_id, entry_type, available_delta, held_delta, available_after, held_after, wallet_version)
   SELECT * FROM unnest(${types.map((type, offset) => `$${first + offset}::${type}[]`).join(', ')})
                 AS given (wallet_id, transaction_id, entry_type, available_delta, held_delta, available_after, held_after, wallet_version)
    ${where}`;
}

/** How many parameters `insertEntriesSql` reads, for a statement that runs it beside others. */
export const ENTRY_PARAMETERS = 8;

/** What `insertEntriesSql` reads: one array per column. */
export function entryParameters(entries: readonly LedgerEntry[]): unknown[] {
  const column = <T>(pick: (entry: LedgerEntry) => T) => entries.map(pick);
  return [
    column((one) => one.walletId),
    column((one) => one.transactionId),
    column((one) => one.entryType),
    column((one) => one.availableDelta.toString()),
    column((one) => one.heldDelta.toString()),
    column((one) => one.availableAfter.toString()),
    column((one) => one.heldAfter.toString()),
    column((one) => one.walletVersion),
  ];
}

/** The UPDATE of `settlePayments`, as a statement or a CTE: reads `settlementParameters` from `$first` on. */
export function settlePaymentsSql(first: number): string {
  const [ids, statuses, failureReasons, details] = [0, 1, 2, 3].map((offset) => `$${first + offset}`);
  return `UPDATE wallet_transactions SET status = settled.status, failure_reason = settled.failure_reason,
          details = wallet_transactions.details || settled.details::jsonb, updated_at = now()
     FROM unnest(${ids}::uuid[], ${statuses}::text[], ${failureReasons}::text[], ${details}::text[]) AS settled (id, status, failure_reason, details)
    WHERE wallet_transactions.id = settled.id`;
}

/** How many parameters `settlePaymentsSql` reads, for a statement that runs it beside others. */
export const SETTLEMENT_PARAMETERS = 4;

/** What `settlePaymentsSql` reads: one array per column. */
export function settlementParameters(settlements: readonly PaymentSettlement[]): unknown[] {
  return [
    settlements.map((settlement) => settlement.transactionId),
    settlements.map((settlement) => settlement.status),
    settlements.map((settlement) => settlement.failureReason),
    // As JSON text, cast per row: an array parameter carries text, not objects.
    settlements.map((settlement) => JSON.stringify(settlement.details)),
  ];
}

const INSERT_TRANSACTIONS = new PreparedStatement('transactions_insert', insertTransactionsSql(1));
const INSERT_LEDGER_ENTRIES = new PreparedStatement('ledger_entries_insert', insertEntriesSql(1));
const SETTLE_PAYMENTS = new PreparedStatement('payments_settle', settlePaymentsSql(1));

/** A client reference on the wallet it was used on: references are unique per wallet, not globally. */
export interface WalletReference {
  readonly walletId: string;
  readonly reference: string;
}

/**
 * The book: transactions and the ledger entry of every balance change. Its constraints (see the
 * migration) refuse a second use of a reference, a second REVERSAL of a payment and a second entry
 * for one wallet version, whatever the code above them does.
 */
@Injectable()
export class LedgerRepository {
  /** The transactions any of these (wallet, client reference) pairs already made, in no particular order. */
  async findByReferences(manager: EntityManager, references: readonly WalletReference[]): Promise<StoredTransaction[]> {
    if (references.length === 0) return [];
    const { rows } = await TRANSACTIONS_BY_REFERENCES.run<TransactionRow>(manager, [
      references.map((one) => one.walletId),
      references.map((one) => one.reference),
    ]);
    return rows.map(toStoredTransaction);
  }

  /** The PAYMENT, locked until the transaction ends, so that a completion and a failure of one payment never interleave. */
  async lockPayment(manager: EntityManager, transactionId: string): Promise<StoredTransaction | null> {
    return (await this.lockPayments(manager, [transactionId])).get(transactionId) ?? null;
  }

  /**
   * `lockPayment` for several payments, keyed by transaction id; locked in id order, so two batches
   * queue rather than deadlock. Found by primary key alone and only then kept if a PAYMENT: with
   * `type = 'PAYMENT'` in the WHERE clause, a planner whose statistics are stale (a table that grew
   * since its last ANALYZE) combined the primary key with the partial index of payments and read
   * every payment's index entry on each call (7.5 ms instead of 0.2, 38% of the wallet's SQL time
   * at 200 purchases/s).
   */
  async lockPayments(manager: EntityManager, transactionIds: readonly string[]): Promise<Map<string, StoredTransaction>> {
    const { rows } = await LOCK_TRANSACTIONS.run<TransactionRow>(manager, [transactionIds]);
    return new Map(rows.filter((row) => row.type === 'PAYMENT').map((row) => [row.id, toStoredTransaction(row)]));
  }

  async insertTransaction(manager: EntityManager, transaction: NewTransaction): Promise<StoredTransaction> {
    const [stored] = await this.insertTransactions(manager, [transaction]);
    if (!stored) throw new Error('INSERT ... RETURNING gave no row');
    return stored;
  }

  /**
   * Adds `transactions` in one statement and returns them as stored, in the order given. Each row's
   * timestamps are the clock as it is written, so a batch lists in history in the order it was decided.
   */
  async insertTransactions(manager: EntityManager, transactions: readonly NewTransaction[]): Promise<StoredTransaction[]> {
    if (transactions.length === 0) return [];
    const { rows } = await INSERT_TRANSACTIONS.run<TransactionRow>(manager, transactionParameters(transactions));
    const byId = new Map(rows.map((row) => [row.id, toStoredTransaction(row)]));
    return transactions.map((transaction) => {
      const stored = byId.get(transaction.id);
      if (!stored) throw new Error(`INSERT ... RETURNING gave no row for transaction ${transaction.id}`);
      return stored;
    });
  }

  /** One entry per balance change, after its transaction row exists; unique per wallet version. */
  async recordEntry(manager: EntityManager, entry: LedgerEntry): Promise<void> {
    await this.recordEntries(manager, [entry]);
  }

  async recordEntries(manager: EntityManager, entries: readonly LedgerEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await INSERT_LEDGER_ENTRIES.run(manager, entryParameters(entries));
  }

  async settlePayment(manager: EntityManager, settlement: PaymentSettlement): Promise<void> {
    await this.settlePayments(manager, [settlement]);
  }

  async settlePayments(manager: EntityManager, settlements: readonly PaymentSettlement[]): Promise<void> {
    if (settlements.length === 0) return;
    await SETTLE_PAYMENTS.run(manager, settlementParameters(settlements));
  }
}

/** True when `error` is a concurrent request having taken the same (wallet, reference) first. */
export function isReferenceTaken(error: unknown): boolean {
  if (!(error instanceof QueryFailedError)) return false;
  const driverError = error.driverError as { code?: string; constraint?: string };
  return driverError.code === UNIQUE_VIOLATION && driverError.constraint === REFERENCE_UNIQUE;
}
