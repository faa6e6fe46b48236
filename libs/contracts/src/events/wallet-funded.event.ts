import { defineEventSchema, type IntegrationEvent } from '../envelope';
import { AMOUNT_MINOR_FIELD, CURRENCY_FIELD, TRANSACTION_ID_FIELD, USER_ID_FIELD, WALLET_ID_FIELD } from './event-fields';

export const WALLET_FUNDED = 'WalletFunded';

/** Money was credited to a wallet (a FUNDING ledger row, committed). */
export interface WalletFundedPayload {
  /** The wallet credited. Also the Kafka message key. */
  readonly walletId: string;
  /** The wallet's owner. */
  readonly userId: string;
  /** The FUNDING transaction in the wallet's ledger. */
  readonly transactionId: string;
  /** Amount credited, integer minor units of `currency`; always > 0. */
  readonly amountMinor: bigint;
  /** ISO 4217 code, e.g. `NGN`. */
  readonly currency: string;
  /** The client's idempotency reference for the funding request. */
  readonly reference: string;
  /** Available balance right after this credit (minor units), excluding funds held by pending payments. */
  readonly availableAfterMinor: bigint;
  /** The payment processor's reference of the charge that brought the money in; null for a sandbox credit made with no processor. */
  readonly processorReference: string | null;
}

export type WalletFundedEvent = IntegrationEvent<typeof WALLET_FUNDED, WalletFundedPayload>;

export const WALLET_FUNDED_SCHEMA = defineEventSchema({
  name: WALLET_FUNDED,
  doc: 'A wallet was credited by a funding (one FUNDING ledger row, committed): a charge the payment processor confirmed and the wallet verified, or a sandbox credit. Key: walletId.',
  payloadFields: [
    WALLET_ID_FIELD,
    USER_ID_FIELD,
    { ...TRANSACTION_ID_FIELD, doc: 'Id of the FUNDING transaction in the wallet ledger.' },
    { ...AMOUNT_MINOR_FIELD, doc: 'Amount credited, integer minor units of currency. Always > 0.' },
    CURRENCY_FIELD,
    { name: 'reference', type: 'string', doc: "The client's idempotency reference of the funding request." },
    {
      name: 'availableAfterMinor',
      type: 'long',
      doc: 'Available balance right after the credit, in minor units; funds held by pending payments excluded.',
    },
    {
      name: 'processorReference',
      type: ['null', 'string'],
      default: null,
      doc: "The payment processor's reference of the verified charge that brought the money in; null for a sandbox credit made with no processor.",
    },
  ],
});
