import { Charge, chargeStatusAt, Settlement } from './charge';
import { DECLINED_CARD, SUCCESSFUL_CARD } from './sandbox-cards';

/**
 * A customer's payment at the checkout. With a card, exactly the charge's amount is paid. Without
 * one it is a bank transfer, of the charge's amount unless `amountMinor`/`currency` say otherwise:
 * that is how a test makes a customer under- or over-pay, which real processors report as is.
 */
export interface PaymentAttempt {
  readonly cardNumber: string | null;
  readonly amountMinor: bigint | null;
  readonly currency: string | null;
}

/** Why nothing changed. The first two are the request's fault, the rest the charge's state. */
export const PAYMENT_REFUSALS = ['PAYMENT.CARD_WITH_TRANSFER', 'PAYMENT.CARD_UNKNOWN', 'CHARGE.ALREADY_PAID', 'CHARGE.ALREADY_FAILED', 'CHARGE.ABANDONED'] as const;
export type PaymentRefusal = (typeof PAYMENT_REFUSALS)[number];

export type PaymentDecision = { readonly kind: 'SETTLE'; readonly settlement: Settlement } | { readonly kind: 'REFUSE'; readonly reason: PaymentRefusal };

export const GATEWAY_RESPONSES = {
  approved: 'Approved',
  declined: 'Declined',
} as const;

/**
 * What a payment attempt does to a charge at `at` (the database's clock when the charge was read).
 * A charge is paid at most once: any settled or abandoned charge refuses. The store applies a
 * SETTLE only if the charge is still ongoing at write time, so a decision made on a stale read
 * can never pay twice.
 */
export function decidePayment(charge: Charge, attempt: PaymentAttempt, at: Date): PaymentDecision {
  const transfer = attempt.amountMinor !== null || attempt.currency !== null;
  // A card pays exactly the charge; an amount alongside one is a mistake, not a choice to guess at.
  if (attempt.cardNumber !== null && transfer) return refuse('PAYMENT.CARD_WITH_TRANSFER');
  if (attempt.cardNumber !== null && attempt.cardNumber !== SUCCESSFUL_CARD && attempt.cardNumber !== DECLINED_CARD) {
    return refuse('PAYMENT.CARD_UNKNOWN');
  }

  switch (chargeStatusAt(charge, at)) {
    case 'success':
      return refuse('CHARGE.ALREADY_PAID');
    case 'failed':
      return refuse('CHARGE.ALREADY_FAILED');
    case 'abandoned':
      return refuse('CHARGE.ABANDONED');
    case 'ongoing':
      break;
  }

  if (attempt.cardNumber === DECLINED_CARD) {
    return { kind: 'SETTLE', settlement: { status: 'failed', channel: 'card', gatewayResponse: GATEWAY_RESPONSES.declined } };
  }
  return {
    kind: 'SETTLE',
    settlement: {
      status: 'success',
      channel: attempt.cardNumber === null ? 'bank_transfer' : 'card',
      gatewayResponse: GATEWAY_RESPONSES.approved,
      paidAmountMinor: attempt.amountMinor ?? charge.amountMinor,
      paidCurrency: attempt.currency ?? charge.currency,
    },
  };
}

function refuse(reason: PaymentRefusal): PaymentDecision {
  return { kind: 'REFUSE', reason };
}
