import { randomUUID } from 'node:crypto';
import { PAYMENT_REQUESTED, PaymentRequestedEvent } from '@bvs/contracts';

/** An ordinary simulator meter (valid Luhn check digit, no sandbox scenario): it vends at once. */
const ORDINARY_METER = '45067891239';

/** A payment-requested event as the wallet writes it, for a new payment on each call. */
export function paymentRequested(): PaymentRequestedEvent {
  return {
    metadata: { eventId: randomUUID(), eventType: PAYMENT_REQUESTED, occurredAt: new Date().toISOString(), correlationId: 'it', causationId: null, producer: 'wallet' },
    payload: {
      paymentId: randomUUID(),
      transactionId: randomUUID(),
      walletId: randomUUID(),
      userId: randomUUID(),
      amountMinor: 250_000n,
      currency: 'NGN',
      meterNumber: ORDINARY_METER,
      providerCode: 'ikeja-electric-prepaid',
      clientReference: `ref-${randomUUID()}`,
    },
  };
}
