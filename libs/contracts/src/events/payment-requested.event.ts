import { defineEventSchema, type IntegrationEvent } from '../envelope';
import {
  AMOUNT_MINOR_FIELD,
  CURRENCY_FIELD,
  PAYMENT_ID_FIELD,
  TRANSACTION_ID_FIELD,
  USER_ID_FIELD,
  WALLET_ID_FIELD,
} from './event-fields';

export const PAYMENT_REQUESTED = 'PaymentRequested';

/** Wallet held the funds for a bill payment and asks billing to vend it. */
export interface PaymentRequestedPayload {
  /** The bill payment, the same id through completion, failure or reversal. */
  readonly paymentId: string;
  /** The PAYMENT ledger transaction (status PENDING) holding the funds. */
  readonly transactionId: string;
  /** The wallet the funds are held in. Also the Kafka message key. */
  readonly walletId: string;
  /** The wallet's owner. */
  readonly userId: string;
  /** Amount held and to vend, integer minor units of `currency`; always > 0. */
  readonly amountMinor: bigint;
  /** ISO 4217 code, e.g. `NGN`. */
  readonly currency: string;
  /** The meter (or account) number to vend to, as validated with the provider. */
  readonly meterNumber: string;
  /** The distribution company / product in the provider catalogue, e.g. `ikeja-electric-prepaid`. */
  readonly providerCode: string;
  /** The client's idempotency reference; one reference never moves money twice. */
  readonly clientReference: string;
}

export type PaymentRequestedEvent = IntegrationEvent<typeof PAYMENT_REQUESTED, PaymentRequestedPayload>;

export const PAYMENT_REQUESTED_SCHEMA = defineEventSchema({
  name: PAYMENT_REQUESTED,
  doc: 'Wallet locked the funds of a bill payment (PAYMENT transaction PENDING) and asks billing to vend. Key: walletId.',
  payloadFields: [
    PAYMENT_ID_FIELD,
    { ...TRANSACTION_ID_FIELD, doc: 'Id of the PENDING PAYMENT transaction holding the funds.' },
    WALLET_ID_FIELD,
    USER_ID_FIELD,
    { ...AMOUNT_MINOR_FIELD, doc: 'Amount held and to vend, integer minor units of currency. Always > 0.' },
    CURRENCY_FIELD,
    { name: 'meterNumber', type: 'string', doc: 'Meter (or account) number to vend to, as validated with the provider.' },
    { name: 'providerCode', type: 'string', doc: 'Distribution company / product code in the provider catalogue.' },
    { name: 'clientReference', type: 'string', doc: "The client's idempotency reference; it never moves money twice." },
  ],
});
