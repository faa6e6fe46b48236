import { defineEventSchema, type IntegrationEvent } from '../envelope';
import {
  AMOUNT_MINOR_FIELD,
  CURRENCY_FIELD,
  PAYMENT_ID_FIELD,
  TRANSACTION_ID_FIELD,
  USER_ID_FIELD,
  WALLET_ID_FIELD,
} from './event-fields';

export const PAYMENT_COMPLETED = 'PaymentCompleted';

/** The provider vended: the user has a token. The payment is final and is never reversed. */
export interface PaymentCompletedPayload {
  /** The bill payment. */
  readonly paymentId: string;
  /** The PAYMENT ledger transaction to mark COMPLETED. */
  readonly transactionId: string;
  /** The wallet the funds were held in. Also the Kafka message key. */
  readonly walletId: string;
  /** The wallet's owner. */
  readonly userId: string;
  /** Amount paid, integer minor units of `currency`. */
  readonly amountMinor: bigint;
  /** ISO 4217 code, e.g. `NGN`. */
  readonly currency: string;
  /** The token to key into the meter (20 digits for STS prepaid meters), as the provider returned it. */
  readonly token: string;
  /**
   * Energy bought, in kWh, as an exact decimal string (e.g. `"31.7"`), as the provider reported it.
   * Matches `^\d+(\.\d+)?$`. Never parse it into a float for arithmetic.
   */
  readonly units: string;
  /** The provider's own reference of the vend, for requery and support. */
  readonly providerReference: string;
}

export type PaymentCompletedEvent = IntegrationEvent<typeof PAYMENT_COMPLETED, PaymentCompletedPayload>;

export const PAYMENT_COMPLETED_SCHEMA = defineEventSchema({
  name: PAYMENT_COMPLETED,
  doc: 'Billing vended the payment: the token exists, the payment is final and never reversed. Key: walletId.',
  payloadFields: [
    PAYMENT_ID_FIELD,
    { ...TRANSACTION_ID_FIELD, doc: 'Id of the PAYMENT transaction to mark COMPLETED.' },
    WALLET_ID_FIELD,
    USER_ID_FIELD,
    { ...AMOUNT_MINOR_FIELD, doc: 'Amount paid, integer minor units of currency. Always > 0.' },
    CURRENCY_FIELD,
    { name: 'token', type: 'string', doc: 'Token to key into the meter (20 digits for STS prepaid), as the provider returned it.' },
    {
      name: 'units',
      type: 'string',
      doc: 'Energy bought in kWh as an exact decimal string matching ^\\d+(\\.\\d+)?$ (e.g. "31.7"); never a float.',
    },
    { name: 'providerReference', type: 'string', doc: "The provider's reference of the vend, for requery and support." },
  ],
});
