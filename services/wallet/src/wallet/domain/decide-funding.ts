import { EVENT_TOPICS, WALLET_FUNDED } from '@bvs/contracts';
import { clientTransaction, decideReuse, requestFingerprint, type ClientRequest, type RequestDecision, type RequestState } from './client-request';
import type { LedgerTransaction } from './ledger-transaction';
import { eventMetadata, type Origin } from './outbox-event';
import { moveBalance, MOVEMENTS } from './wallet';

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
    publish: {
      topic: EVENT_TOPICS.walletFunded,
      event: {
        metadata: eventMetadata(WALLET_FUNDED, context.eventId, context.now, context.origin),
        payload: {
          walletId: wallet.id,
          userId: command.userId,
          transactionId: context.transactionId,
          amountMinor: command.amount,
          currency: wallet.currency,
          reference: command.reference,
          availableAfterMinor: entry.availableAfter,
        },
      },
    },
  };
}
