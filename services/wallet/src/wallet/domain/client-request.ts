import { createHash } from 'node:crypto';
import type { TransactionType } from '@bvs/contracts';
import type { LedgerTransaction, NewTransaction } from './ledger-transaction';
import type { OutboxEvent } from './outbox-event';
import type { LedgerEntry, Wallet } from './wallet';
import { REFUSALS, type WalletRefusal } from './wallet-refusal';

/** What every money-moving request of a client carries: whose wallet, how much, and the reference that makes it idempotent. */
export interface ClientRequest {
  readonly userId: string;
  readonly amount: bigint;
  readonly reference: string;
}

/**
 * What a client's money-moving request is decided on: the wallet as just read, and the
 * transaction the request's reference already made on it, if any.
 */
export interface RequestState<Earlier extends LedgerTransaction> {
  readonly wallet: Wallet;
  readonly earlier: Earlier | null;
}

/** The request moves money: one new transaction, its ledger entry and the event that tells the world. */
export interface Accepted {
  readonly kind: 'ACCEPTED';
  readonly transaction: NewTransaction;
  readonly entry: LedgerEntry;
  readonly publish: OutboxEvent;
}

/** The same request came again: answer with what it did the first time, and move nothing. */
export interface Replay<Earlier> {
  readonly kind: 'REPLAY';
  readonly earlier: Earlier;
}

export type RequestDecision<Earlier> = Accepted | Replay<Earlier> | WalletRefusal;

/**
 * The transaction an accepted client request adds: on the user's wallet, under the request's
 * reference, for its amount, with the available balance the request's entry leaves.
 */
export function clientTransaction(
  request: ClientRequest,
  wallet: Wallet,
  entry: LedgerEntry,
  kind: Pick<NewTransaction, 'type' | 'status' | 'requestFingerprint' | 'paymentId' | 'details'>,
): NewTransaction {
  return {
    id: entry.transactionId,
    walletId: wallet.id,
    userId: request.userId,
    amount: request.amount,
    currency: wallet.currency,
    reference: request.reference,
    reversesTransactionId: null,
    availableAfter: entry.availableAfter,
    ...kind,
  };
}

/**
 * Identifies what a client asked for under a reference. The keys and their order are part of the
 * stored data: changing them would turn every later replay of an older request into a conflict.
 */
export function requestFingerprint(request: Readonly<Record<string, string>>): string {
  return createHash('sha256').update(JSON.stringify(request)).digest('hex');
}

/**
 * A reference already used on this wallet: the same request is replayed, anything else (another
 * amount, another kind of request) is refused, so one reference never moves money twice.
 */
export function decideReuse<Earlier extends LedgerTransaction>(
  earlier: Earlier,
  type: TransactionType,
  fingerprint: string,
): Replay<Earlier> | WalletRefusal {
  if (earlier.type !== type || earlier.requestFingerprint !== fingerprint) return REFUSALS.idempotencyConflict(earlier.id);
  return { kind: 'REPLAY', earlier };
}
