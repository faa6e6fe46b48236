import { EVENT_TOPICS, PAYMENT_REQUESTED } from '@bvs/contracts';
import { clientTransaction, decideReuse, requestFingerprint, type ClientRequest, type RequestDecision, type RequestState } from './client-request';
import type { LedgerTransaction } from './ledger-transaction';
import { eventMetadata, type Origin } from './outbox-event';
import { moveBalance, MOVEMENTS } from './wallet';
import { REFUSALS } from './wallet-refusal';

/** Pay a bill from a user's wallet, once per `reference`. */
export interface InitiatePayment extends ClientRequest {
  readonly meterNumber: string;
  readonly providerCode: string;
}

/** What initiation needs from outside to stay pure: the ids it hands out, the time and the request's origin. */
export interface InitiationContext {
  readonly paymentId: string;
  readonly transactionId: string;
  readonly eventId: string;
  readonly now: Date;
  readonly origin: Origin;
}

export function paymentFingerprint(command: InitiatePayment): string {
  return requestFingerprint({
    operation: 'PAY',
    amount: command.amount.toString(),
    meterNumber: command.meterNumber,
    providerCode: command.providerCode,
  });
}

/**
 * Initiation holds the amount (available drops, held rises by as much) under one PENDING PAYMENT
 * and asks billing to vend with `payment-requested`. A wallet that cannot afford it is refused with
 * nothing written; a replay is answered before funds are looked at, so it never fails for them.
 */
export function decidePaymentInitiation<Earlier extends LedgerTransaction>(
  command: InitiatePayment,
  state: RequestState<Earlier>,
  context: InitiationContext,
): RequestDecision<Earlier> {
  const fingerprint = paymentFingerprint(command);
  if (state.earlier) return decideReuse(state.earlier, 'PAYMENT', fingerprint);
  const { wallet } = state;
  if (wallet.available < command.amount) return REFUSALS.insufficientFunds(wallet.available);
  const entry = moveBalance(wallet, MOVEMENTS.hold(command.amount), context.transactionId);
  return {
    kind: 'ACCEPTED',
    transaction: clientTransaction(command, wallet, entry, {
      type: 'PAYMENT',
      status: 'PENDING',
      requestFingerprint: fingerprint,
      paymentId: context.paymentId,
      details: { meterNumber: command.meterNumber, providerCode: command.providerCode },
    }),
    entry,
    publish: {
      topic: EVENT_TOPICS.paymentRequested,
      event: {
        metadata: eventMetadata(PAYMENT_REQUESTED, context.eventId, context.now, context.origin),
        payload: {
          paymentId: context.paymentId,
          transactionId: context.transactionId,
          walletId: wallet.id,
          userId: command.userId,
          amountMinor: command.amount,
          currency: wallet.currency,
          meterNumber: command.meterNumber,
          providerCode: command.providerCode,
          clientReference: command.reference,
        },
      },
    },
  };
}
