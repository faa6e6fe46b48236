/**
 * Request-reply contract of the wallet service. Amounts travel as decimal strings of integer minor
 * units ("150000" = NGN 1,500.00): JSON has no 64-bit integer, and a string cannot be rounded.
 */
export const WALLET_PATTERNS = {
  balance: 'wallet.get-balance.v1',
  fund: 'wallet.fund-wallet.v1',
  listTransactions: 'wallet.list-transactions.v1',
  getTransaction: 'wallet.get-transaction.v1',
  initiatePayment: 'wallet.initiate-payment.v1',
  getPayment: 'wallet.get-payment.v1',
} as const;

export const WALLET_ERROR_CODES = {
  invalidAmount: 'WALLET.INVALID_AMOUNT',
  amountOverLimit: 'WALLET.AMOUNT_OVER_LIMIT',
  insufficientFunds: 'WALLET.INSUFFICIENT_FUNDS',
  concurrentUpdate: 'WALLET.CONCURRENT_UPDATE',
  transactionNotFound: 'WALLET.TRANSACTION_NOT_FOUND',
  paymentNotFound: 'WALLET.PAYMENT_NOT_FOUND',
  invalidCursor: 'WALLET.INVALID_CURSOR',
  idempotencyConflict: 'IDEMPOTENCY.CONFLICT',
} as const;

export const TRANSACTION_TYPES = ['FUNDING', 'PAYMENT', 'REVERSAL'] as const;
export type TransactionType = (typeof TRANSACTION_TYPES)[number];

export const TRANSACTION_STATUSES = ['PENDING', 'COMPLETED', 'FAILED', 'REVERSED'] as const;
export type TransactionStatus = (typeof TRANSACTION_STATUSES)[number];

/** A decimal string of a non-negative integer count of minor units. */
export type MinorUnits = string;

export interface WalletBalance {
  readonly walletId: string;
  readonly currency: string;
  /** Spendable now. */
  readonly available: MinorUnits;
  /** Locked by payments still in flight. */
  readonly held: MinorUnits;
  /** available + held. */
  readonly total: MinorUnits;
  readonly updatedAt: string;
}

export interface WalletTransaction {
  readonly id: string;
  readonly walletId: string;
  readonly type: TransactionType;
  readonly status: TransactionStatus;
  readonly amount: MinorUnits;
  readonly currency: string;
  /** The client's idempotency reference (absent on a REVERSAL, which the system makes). */
  readonly reference: string | null;
  /** The bill payment a PAYMENT or REVERSAL belongs to. */
  readonly paymentId: string | null;
  /** For a REVERSAL: the PAYMENT it returns the money of. */
  readonly reversesTransactionId: string | null;
  /** Available balance right after this transaction was recorded. */
  readonly availableAfter: MinorUnits;
  readonly failureReason: string | null;
  readonly details: Readonly<Record<string, string>>;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface GetBalanceRequest {
  readonly userId: string;
}

export interface FundWalletRequest {
  readonly userId: string;
  readonly amount: MinorUnits;
  readonly reference: string;
}

/** `replayed` is true when the reference was seen before and the original result is returned. */
export interface WalletOperationResult {
  readonly transaction: WalletTransaction;
  readonly replayed: boolean;
}

export interface ListTransactionsRequest {
  readonly userId: string;
  readonly limit: number;
  readonly cursor?: string;
  readonly type?: TransactionType;
  readonly status?: TransactionStatus;
  /** ISO-8601 instants; `from` inclusive, `to` exclusive. */
  readonly from?: string;
  readonly to?: string;
}

export interface TransactionPage {
  readonly items: readonly WalletTransaction[];
  /** Pass back as `cursor` for the next page; null on the last page. */
  readonly nextCursor: string | null;
}

export interface GetTransactionRequest {
  readonly userId: string;
  readonly transactionId: string;
}

/** The PAYMENT transaction of a bill payment, for its owner only. */
export interface GetPaymentRequest {
  readonly userId: string;
  readonly paymentId: string;
}

export interface InitiatePaymentRequest {
  readonly userId: string;
  readonly amount: MinorUnits;
  readonly reference: string;
  readonly meterNumber: string;
  readonly providerCode: string;
}

export interface PaymentInitiation {
  readonly paymentId: string;
  readonly transactionId: string;
  readonly walletId: string;
  readonly status: TransactionStatus;
  readonly amount: MinorUnits;
  readonly currency: string;
  readonly reference: string;
  readonly meterNumber: string;
  readonly providerCode: string;
  readonly createdAt: string;
  readonly replayed: boolean;
}
