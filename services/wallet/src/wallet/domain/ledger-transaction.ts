import type { TransactionStatus, TransactionType } from '@bvs/contracts';

interface TransactionFacts {
  readonly id: string;
  readonly walletId: string;
  readonly userId: string;
  readonly type: TransactionType;
  readonly amount: bigint;
  readonly currency: string;
  /** The client's idempotency reference; null on a REVERSAL, which the wallet makes itself. */
  readonly reference: string | null;
  /** What the client asked for under `reference`, hashed: a replay must ask for the same. */
  readonly requestFingerprint: string | null;
  /** The bill payment a PAYMENT or REVERSAL belongs to; null on a FUNDING. */
  readonly paymentId: string | null;
  /** On a REVERSAL, the PAYMENT whose money it returns. */
  readonly reversesTransactionId: string | null;
  /** The wallet's available balance right after the transaction was recorded. */
  readonly availableAfter: bigint;
  readonly details: Readonly<Record<string, string>>;
}

/** A transaction a decision adds to the book. Its id is handed in; its timestamps come from the database. */
export interface NewTransaction extends TransactionFacts {
  readonly status: 'PENDING' | 'COMPLETED';
}

/** A transaction already in the book. */
export interface LedgerTransaction extends TransactionFacts {
  readonly status: TransactionStatus;
  readonly failureReason: string | null;
}

/** How a PENDING payment ends: its final status, why it failed if it did, and what the outcome delivered. */
export interface PaymentSettlement {
  readonly transactionId: string;
  readonly status: 'COMPLETED' | 'REVERSED';
  readonly failureReason: string | null;
  /** Added to the payment's details, e.g. the token and units of a completed vend. */
  readonly details: Readonly<Record<string, string>>;
}
