import { defineEventSchema, type IntegrationEvent } from '../envelope';
import {
  AMOUNT_MINOR_FIELD,
  CURRENCY_FIELD,
  PAYMENT_ID_FIELD,
  TRANSACTION_ID_FIELD,
  USER_ID_FIELD,
  WALLET_ID_FIELD,
} from './event-fields';

export const PAYMENT_FAILED = 'PaymentFailed';

/**
 * The provider definitely did not vend (never a timeout or an unknown outcome: those are
 * requeried until known). Wallet releases the held funds through a reversal.
 */
export interface PaymentFailedPayload {
  /** The bill payment. */
  readonly paymentId: string;
  /** The PAYMENT ledger transaction to mark FAILED and then reverse. */
  readonly transactionId: string;
  /** The wallet the funds are held in. Also the Kafka message key. */
  readonly walletId: string;
  /** The wallet's owner. */
  readonly userId: string;
  /** Amount that was held, integer minor units of `currency`. */
  readonly amountMinor: bigint;
  /** ISO 4217 code, e.g. `NGN`. */
  readonly currency: string;
  /** Stable machine-readable reason, `<AREA>.<REASON>`, e.g. `PROVIDER.METER_BLOCKED`. */
  readonly reasonCode: string;
  /** Human-readable explanation, safe to show to the user. */
  readonly reasonMessage: string;
}

export type PaymentFailedEvent = IntegrationEvent<typeof PAYMENT_FAILED, PaymentFailedPayload>;

export const PAYMENT_FAILED_SCHEMA = defineEventSchema({
  name: PAYMENT_FAILED,
  doc: 'Billing knows for certain the provider did not vend (never sent on timeout or unknown outcome); wallet reverses. Key: walletId.',
  payloadFields: [
    PAYMENT_ID_FIELD,
    { ...TRANSACTION_ID_FIELD, doc: 'Id of the PAYMENT transaction to mark FAILED and reverse.' },
    WALLET_ID_FIELD,
    USER_ID_FIELD,
    { ...AMOUNT_MINOR_FIELD, doc: 'Amount that was held, integer minor units of currency. Always > 0.' },
    CURRENCY_FIELD,
    { name: 'reasonCode', type: 'string', doc: 'Stable reason code <AREA>.<REASON>, e.g. PROVIDER.METER_BLOCKED.' },
    { name: 'reasonMessage', type: 'string', doc: 'Human-readable explanation, safe to show to the user.' },
  ],
});
