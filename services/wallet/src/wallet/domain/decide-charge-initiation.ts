import { decideReuse, type ClientRequest, type Replay, type RequestState } from './client-request';
import { fundingFingerprint } from './decide-funding';
import type { LedgerTransaction, NewTransaction } from './ledger-transaction';
import { processorReferenceOf } from './processor-charge';
import type { WalletRefusal } from './wallet-refusal';

/** A funding through the payment processor: the money is asked for now and credited when the processor confirms it. */
export type InitiateCharge = ClientRequest;

/** A new PENDING FUNDING, which reserves the client's reference and moves nothing, and the charge to ask the processor for. */
export interface ReserveFunding {
  readonly kind: 'RESERVE';
  readonly transaction: NewTransaction;
  readonly processorReference: string;
}

export type ChargeInitiationDecision<Earlier> = ReserveFunding | Replay<Earlier> | WalletRefusal;

/**
 * A funding request with a processor behind it records a PENDING FUNDING under the client's
 * reference, so a retry finds it and asks the processor for the same charge again (the processor
 * deduplicates on its reference). Same reference, same request: replayed, whatever its status;
 * anything else under it is refused. The request's fingerprint is a sandbox funding's, so a
 * client's retry means the same thing in both modes.
 */
export function decideChargeInitiation<Earlier extends LedgerTransaction>(
  command: InitiateCharge,
  state: RequestState<Earlier>,
  transactionId: string,
): ChargeInitiationDecision<Earlier> {
  const fingerprint = fundingFingerprint(command.amount);
  if (state.earlier) return decideReuse(state.earlier, 'FUNDING', fingerprint);
  const processorReference = processorReferenceOf(transactionId);
  return {
    kind: 'RESERVE',
    processorReference,
    transaction: {
      id: transactionId,
      walletId: state.wallet.id,
      userId: command.userId,
      type: 'FUNDING',
      status: 'PENDING',
      amount: command.amount,
      currency: state.wallet.currency,
      reference: command.reference,
      requestFingerprint: fingerprint,
      paymentId: null,
      reversesTransactionId: null,
      // Nothing moves yet: the balance the funding leaves is set when it is credited.
      availableAfter: state.wallet.available,
      details: { processorReference },
    },
  };
}
