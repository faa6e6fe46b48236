import type { TransactionStatus, TransactionType } from '@bvs/contracts';
import type { LedgerTransaction } from '../domain/ledger-transaction';
import type { Wallet } from '../domain/wallet';

/**
 * Rows as `pg` returns them: BIGINT comes back as text (exact, unlike a number), and is turned
 * into bigint here and nowhere else.
 */
export interface WalletRow {
  id: string;
  user_id: string;
  currency: string;
  available: string;
  held: string;
  version: number;
  updated_at: Date;
}

export interface TransactionRow {
  id: string;
  wallet_id: string;
  user_id: string;
  type: TransactionType;
  status: TransactionStatus;
  amount: string;
  currency: string;
  reference: string | null;
  request_fingerprint: string | null;
  payment_id: string | null;
  reverses_transaction_id: string | null;
  available_after: string;
  failure_reason: string | null;
  details: Record<string, string>;
  created_at: Date;
  updated_at: Date;
}

export const WALLET_COLUMNS = 'id, user_id, currency, available, held, version, updated_at';
export const TRANSACTION_COLUMNS = `id, wallet_id, user_id, type, status, amount, currency, reference, request_fingerprint, payment_id,
  reverses_transaction_id, available_after, failure_reason, details, created_at, updated_at`;

/** A wallet with the time of its last change, which the balance answer shows. */
export interface StoredWallet extends Wallet {
  readonly updatedAt: Date;
}

/** A transaction with the database's timestamps. */
export interface StoredTransaction extends LedgerTransaction {
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export function toStoredWallet(row: WalletRow): StoredWallet {
  return {
    id: row.id,
    userId: row.user_id,
    currency: row.currency,
    available: BigInt(row.available),
    held: BigInt(row.held),
    version: row.version,
    updatedAt: row.updated_at,
  };
}

export function toStoredTransaction(row: TransactionRow): StoredTransaction {
  return {
    id: row.id,
    walletId: row.wallet_id,
    userId: row.user_id,
    type: row.type,
    status: row.status,
    amount: BigInt(row.amount),
    currency: row.currency,
    reference: row.reference,
    requestFingerprint: row.request_fingerprint,
    paymentId: row.payment_id,
    reversesTransactionId: row.reverses_transaction_id,
    availableAfter: BigInt(row.available_after),
    failureReason: row.failure_reason,
    details: row.details,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
