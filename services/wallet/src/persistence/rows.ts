import type { TransactionStatus, TransactionType, WalletBalance, WalletTransaction } from '@bvs/contracts';

/** A wallet as stored; `pg` returns BIGINT as text, turned into bigint here and nowhere else. */
export interface WalletState {
  readonly id: string;
  readonly userId: string;
  readonly currency: string;
  readonly available: bigint;
  readonly held: bigint;
  readonly version: number;
  readonly updatedAt: Date;
}

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

export function toWalletState(row: WalletRow): WalletState {
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

export function toBalance(wallet: WalletState): WalletBalance {
  return {
    walletId: wallet.id,
    currency: wallet.currency,
    available: wallet.available.toString(),
    held: wallet.held.toString(),
    total: (wallet.available + wallet.held).toString(),
    updatedAt: wallet.updatedAt.toISOString(),
  };
}

export function toTransaction(row: TransactionRow): WalletTransaction {
  return {
    id: row.id,
    walletId: row.wallet_id,
    type: row.type,
    status: row.status,
    amount: row.amount,
    currency: row.currency,
    reference: row.reference,
    paymentId: row.payment_id,
    reversesTransactionId: row.reverses_transaction_id,
    availableAfter: row.available_after,
    failureReason: row.failure_reason,
    details: row.details,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}
