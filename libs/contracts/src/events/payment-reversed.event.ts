import { defineEventSchema, type IntegrationEvent } from '../envelope';
import { AMOUNT_MINOR_FIELD, CURRENCY_FIELD, PAYMENT_ID_FIELD, USER_ID_FIELD, WALLET_ID_FIELD } from './event-fields';

export const PAYMENT_REVERSED = 'PaymentReversed';

/** The held funds of a failed payment went back to the wallet (one REVERSAL ledger row). */
export interface PaymentReversedPayload {
  /** The bill payment. */
  readonly paymentId: string;
  /** The PAYMENT transaction now marked REVERSED. */
  readonly originalTransactionId: string;
  /** The REVERSAL transaction that credited the amount back (exactly one per reversed payment). */
  readonly reversalTransactionId: string;
  /** The wallet credited. Also the Kafka message key. */
  readonly walletId: string;
  /** The wallet's owner. */
  readonly userId: string;
  /** Amount returned, equal to the original payment's amount; integer minor units of `currency`. */
  readonly amountMinor: bigint;
  /** ISO 4217 code, e.g. `NGN`. */
  readonly currency: string;
}

export type PaymentReversedEvent = IntegrationEvent<typeof PAYMENT_REVERSED, PaymentReversedPayload>;

export const PAYMENT_REVERSED_SCHEMA = defineEventSchema({
  name: PAYMENT_REVERSED,
  doc: 'Wallet returned the held funds of a failed payment (one REVERSAL ledger row; original marked REVERSED). Key: walletId.',
  payloadFields: [
    PAYMENT_ID_FIELD,
    { name: 'originalTransactionId', type: 'string', doc: 'Id of the PAYMENT transaction now marked REVERSED.' },
    { name: 'reversalTransactionId', type: 'string', doc: 'Id of the REVERSAL transaction that credited the amount back.' },
    WALLET_ID_FIELD,
    USER_ID_FIELD,
    { ...AMOUNT_MINOR_FIELD, doc: 'Amount returned, equal to the original payment amount, in minor units of currency.' },
    CURRENCY_FIELD,
  ],
});
