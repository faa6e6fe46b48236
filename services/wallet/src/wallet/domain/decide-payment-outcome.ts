import { EVENT_TOPICS, PAYMENT_REVERSED, type PaymentCompletedPayload, type PaymentFailedEvent } from '@bvs/contracts';
import type { LedgerTransaction, NewTransaction, PaymentSettlement } from './ledger-transaction';
import { eventMetadata, type OutboxEvent } from './outbox-event';
import { moveBalance, MOVEMENTS, type LedgerEntry, type Wallet } from './wallet';

/**
 * A payment's life: PENDING until billing reports an outcome, then COMPLETED (the hold is posted:
 * the money leaves the wallet) or REVERSED (the hold is released by one REVERSAL of the same
 * amount). FAILED means the failure is known and the reversal not yet made; this service reverses
 * in the same transaction that records the failure, so it only meets FAILED in older books.
 * Both ends are final: outcomes arrive at least once and in any order, and none after the first
 * moves money again.
 */
export interface SettlementState {
  /** The PAYMENT, locked for the rest of the transaction so two outcomes never interleave. */
  readonly payment: LedgerTransaction;
  /** The wallet the payment's money is held in, as just read. */
  readonly wallet: Wallet;
}

/** What every outcome event says about the payment it settles; it must describe the payment in the book. */
type PaymentFacts = Pick<PaymentCompletedPayload, 'paymentId' | 'transactionId' | 'walletId' | 'amountMinor'>;

/** The first outcome of a PENDING payment: move the held money and end the payment. */
export interface Settle {
  readonly kind: 'SETTLE';
  readonly entry: LedgerEntry;
  /** The REVERSAL that returns the money of a failed payment; null when a completion posts it. */
  readonly reversal: NewTransaction | null;
  readonly settlement: PaymentSettlement;
  readonly publish: OutboxEvent | null;
}

/** The payment already ended the way this outcome says (a redelivery, or the same outcome sent twice): nothing to do. */
export interface AlreadySettled {
  readonly kind: 'ALREADY_SETTLED';
}

/**
 * The outcome contradicts how the payment already ended. No money moves: a person settles it
 * with the provider, so the caller raises the alert.
 */
export interface Anomaly {
  readonly kind: 'ANOMALY';
  readonly alert: 'PAYMENT_COMPLETED_AFTER_REVERSAL' | 'PAYMENT_FAILED_AFTER_COMPLETION';
  readonly message: string;
  readonly paymentId: string | null;
  readonly transactionId: string;
}

/** The event names no payment of this book, or describes it wrongly: a producer bug that retrying cannot mend. */
export interface Unprocessable {
  readonly kind: 'UNPROCESSABLE';
  readonly reason: string;
}

export type OutcomeDecision = Settle | AlreadySettled | Anomaly | Unprocessable;

/** What a reversal needs from outside to stay pure: the ids it hands out and the time. */
export interface ReversalContext {
  readonly reversalId: string;
  readonly eventId: string;
  readonly now: Date;
}

const ALREADY_SETTLED: AlreadySettled = { kind: 'ALREADY_SETTLED' };

/** Billing vended: a PENDING payment's hold is posted and the payment is COMPLETED with what was delivered. */
export function decidePaymentCompletion(completion: PaymentCompletedPayload, state: SettlementState | null): OutcomeDecision {
  const checked = paymentDescribedBy(completion, state);
  if ('kind' in checked) return checked;
  const { payment, wallet } = checked;
  switch (payment.status) {
    case 'PENDING':
      return {
        kind: 'SETTLE',
        entry: moveBalance(wallet, MOVEMENTS.post(payment.amount), payment.id),
        reversal: null,
        settlement: {
          transactionId: payment.id,
          status: 'COMPLETED',
          failureReason: null,
          details: { token: completion.token, units: completion.units, providerReference: completion.providerReference },
        },
        publish: null,
      };
    case 'COMPLETED':
      return ALREADY_SETTLED;
    case 'FAILED':
    case 'REVERSED':
      // The money went back already, yet the provider says it vended after all.
      return anomaly(payment, 'PAYMENT_COMPLETED_AFTER_REVERSAL', 'Completion arrived for a payment that was already reversed; left as is for reconciliation');
  }
}

/**
 * Billing knows for certain nothing was vended: the PENDING payment ends REVERSED with the failure's
 * reason, one REVERSAL of the same amount releases the hold, and `payment-reversed` says so.
 */
export function decidePaymentFailure(failure: PaymentFailedEvent, state: SettlementState | null, context: ReversalContext): OutcomeDecision {
  const checked = paymentDescribedBy(failure.payload, state);
  if ('kind' in checked) return checked;
  const { payment, wallet } = checked;
  switch (payment.status) {
    case 'PENDING':
      return reverse(failure, payment, wallet, context);
    case 'FAILED':
    case 'REVERSED':
      return ALREADY_SETTLED;
    case 'COMPLETED':
      // A token was delivered: reversing would hand the money back for energy the user has.
      return anomaly(payment, 'PAYMENT_FAILED_AFTER_COMPLETION', 'Failure arrived for a completed payment; not reversed');
  }
}

function reverse(failure: PaymentFailedEvent, payment: LedgerTransaction, wallet: Wallet, context: ReversalContext): Settle {
  const { reasonCode, reasonMessage } = failure.payload;
  const entry = moveBalance(wallet, MOVEMENTS.release(payment.amount), context.reversalId);
  return {
    kind: 'SETTLE',
    entry,
    reversal: {
      id: context.reversalId,
      walletId: payment.walletId,
      userId: payment.userId,
      type: 'REVERSAL',
      status: 'COMPLETED',
      amount: payment.amount,
      currency: payment.currency,
      reference: null,
      requestFingerprint: null,
      paymentId: payment.paymentId,
      reversesTransactionId: payment.id,
      availableAfter: entry.availableAfter,
      details: { reasonCode },
    },
    settlement: { transactionId: payment.id, status: 'REVERSED', failureReason: `${reasonCode}: ${reasonMessage}`, details: {} },
    publish: {
      topic: EVENT_TOPICS.paymentReversed,
      event: {
        metadata: eventMetadata(PAYMENT_REVERSED, context.eventId, context.now, {
          correlationId: failure.metadata.correlationId,
          causationId: failure.metadata.eventId,
        }),
        payload: {
          paymentId: failure.payload.paymentId,
          originalTransactionId: payment.id,
          reversalTransactionId: context.reversalId,
          walletId: payment.walletId,
          userId: payment.userId,
          amountMinor: payment.amount,
          currency: payment.currency,
        },
      },
    },
  };
}

function paymentDescribedBy(facts: PaymentFacts, state: SettlementState | null): SettlementState | Unprocessable {
  if (!state) return { kind: 'UNPROCESSABLE', reason: `no PAYMENT transaction ${facts.transactionId}` };
  const { payment } = state;
  if (payment.paymentId !== facts.paymentId || payment.walletId !== facts.walletId || payment.amount !== facts.amountMinor) {
    return { kind: 'UNPROCESSABLE', reason: `event for payment ${facts.paymentId} does not match transaction ${facts.transactionId}` };
  }
  return state;
}

function anomaly(payment: LedgerTransaction, alert: Anomaly['alert'], message: string): Anomaly {
  return { kind: 'ANOMALY', alert, message, paymentId: payment.paymentId, transactionId: payment.id };
}
