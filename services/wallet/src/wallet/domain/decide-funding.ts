import { EVENT_TOPICS, WALLET_FUNDED, type EventMetadata } from '@bvs/contracts';
import { clientTransaction, decideReuse, requestFingerprint, type ClientRequest, type RequestDecision, type RequestState } from './client-request';
import type { LedgerTransaction } from './ledger-transaction';
import { eventMetadata, type Origin, type OutboxEvent } from './outbox-event';
import { moveBalance, MOVEMENTS, type LedgerEntry } from './wallet';

/** Credit a user's wallet with `amount` minor units, once per `reference`. */
export type FundWallet = ClientRequest;

/** What funding needs from outside to stay pure: the ids it hands out, the time and the request's origin. */
export interface FundingContext {
  readonly transactionId: string;
  readonly eventId: string;
  readonly now: Date;
  readonly origin: Origin;
}

export function fundingFingerprint(amount: bigint): string {
  return requestFingerprint({ operation: 'FUND', amount: amount.toString() });
}

/**
 * Funding credits the available balance with one COMPLETED FUNDING transaction and announces it
 * with `wallet-funded`. The amount's limits are checked before the wallet is even opened
 * (`checkAmount`), so they do not appear here.
 */
export function decideFunding<Earlier extends LedgerTransaction>(
  command: FundWallet,
  state: RequestState<Earlier>,
  context: FundingContext,
): RequestDecision<Earlier> {
  const fingerprint = fundingFingerprint(command.amount);
  if (state.earlier) return decideReuse(state.earlier, 'FUNDING', fingerprint);
  const { wallet } = state;
  const entry = moveBalance(wallet, MOVEMENTS.credit(command.amount), context.transactionId);
  return {
    kind: 'ACCEPTED',
    transaction: clientTransaction(command, wallet, entry, { type: 'FUNDING', status: 'COMPLETED', requestFingerprint: fingerprint, paymentId: null, details: {} }),
    entry,
    publish: walletFunded(
      { transactionId: context.transactionId, userId: command.userId, amount: command.amount, currency: wallet.currency, reference: command.reference, processorReference: null },
      entry,
      eventMetadata(WALLET_FUNDED, context.eventId, context.now, context.origin),
    ),
  };
}

/** The funding a `wallet-funded` event announces: the FUNDING transaction and where its money came from. */
export interface FundingFacts {
  readonly transactionId: string;
  readonly userId: string;
  readonly amount: bigint;
  readonly currency: string;
  readonly reference: string;
  /** The processor's reference of the verified charge; null for a sandbox credit. */
  readonly processorReference: string | null;
}

/** `wallet-funded` for a funding credited by `entry`: every way money enters announces it alike. */
export function walletFunded(funding: FundingFacts, entry: LedgerEntry, metadata: EventMetadata<typeof WALLET_FUNDED>): OutboxEvent {
  return {
    topic: EVENT_TOPICS.walletFunded,
    event: {
      metadata,
      payload: {
        walletId: entry.walletId,
        userId: funding.userId,
        transactionId: funding.transactionId,
        amountMinor: funding.amount,
        currency: funding.currency,
        reference: funding.reference,
        availableAfterMinor: entry.availableAfter,
        processorReference: funding.processorReference,
      },
    },
  };
}
