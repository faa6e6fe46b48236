import { jsonAmount } from '../http/json-amount';
import { Channel, Charge, ChargeReading, ChargeStatus, chargeStatusAt } from './domain/charge';

/**
 * The processor's wire shapes, which are Paystack's (snake_case, `{ status, message, data }`), so
 * a client written against this simulator can be pointed at Paystack itself. Amounts are JSON
 * integers of minor units; every stored amount came in as a safe integer, so that is exact.
 */
export interface PaystackAnswer<T> {
  readonly status: true;
  readonly message: string;
  readonly data: T;
}

export interface InitializeData {
  readonly authorization_url: string;
  readonly access_code: string;
  readonly reference: string;
}

/** Paystack's transaction as verify reports it, in the subset this simulator produces. */
export interface TransactionData {
  readonly id: number;
  readonly status: ChargeStatus;
  readonly reference: string;
  /** What was paid once paid (it may differ from what was asked), else what was asked. */
  readonly amount: number;
  readonly currency: string;
  /** What was asked at initialize. */
  readonly requested_amount: number;
  readonly paid_at: string | null;
  readonly created_at: string;
  readonly channel: Channel | null;
  readonly gateway_response: string;
  readonly customer: { readonly email: string };
  readonly metadata: Readonly<Record<string, unknown>> | null;
}

/** The body of the `charge.success` webhook. */
export interface ChargeSuccessEvent {
  readonly event: 'charge.success';
  readonly data: Omit<TransactionData, 'status'> & { readonly status: 'success' };
}

export interface CheckoutData {
  readonly reference: string;
  readonly amount: number;
  readonly currency: string;
  readonly status: ChargeStatus;
  readonly expires_at: string;
}

/** What the checkout tells the customer's browser after a payment attempt ended. */
export interface PaymentData {
  readonly reference: string;
  readonly status: 'success' | 'failed';
  readonly amount: number;
  readonly currency: string;
  readonly channel: Channel;
  readonly gateway_response: string;
  /** Where Paystack's checkout would send the browser next, with `trxref` and `reference` as Paystack adds them. */
  readonly redirect_url: string | null;
}

/** Paystack's gateway_response for a charge no payment ended. */
const UNSETTLED_RESPONSES = { ongoing: 'Transaction in progress', abandoned: 'The transaction was not completed' } as const;

export function checkoutUrl(base: string, accessCode: string): string {
  return `${base}/processor/checkout/${accessCode}`;
}

export function initializeAnswer(charge: Charge, checkoutBaseUrl: string): PaystackAnswer<InitializeData> {
  return {
    status: true,
    message: 'Authorization URL created',
    data: { authorization_url: checkoutUrl(checkoutBaseUrl, charge.accessCode), access_code: charge.accessCode, reference: charge.reference },
  };
}

export function verifyAnswer(reading: ChargeReading): PaystackAnswer<TransactionData> {
  return { status: true, message: 'Verification successful', data: transactionData(reading) };
}

export function checkoutAnswer({ charge, observedAt }: ChargeReading): PaystackAnswer<CheckoutData> {
  return {
    status: true,
    message: 'Checkout',
    data: {
      reference: charge.reference,
      amount: jsonAmount(charge.amountMinor),
      currency: charge.currency,
      status: chargeStatusAt(charge, observedAt),
      expires_at: charge.expiresAt.toISOString(),
    },
  };
}

export function paymentAnswer(charge: Charge): PaystackAnswer<PaymentData> {
  const settlement = settledOrFail(charge);
  const paid = settlement.status === 'success' ? settlement : null;
  return {
    status: true,
    message: settlement.status === 'success' ? 'Payment successful' : 'Payment declined',
    data: {
      reference: charge.reference,
      status: settlement.status,
      amount: jsonAmount(paid?.paidAmountMinor ?? charge.amountMinor),
      currency: paid?.paidCurrency ?? charge.currency,
      channel: settlement.channel,
      gateway_response: settlement.gatewayResponse,
      redirect_url: charge.callbackUrl === null ? null : withReference(charge.callbackUrl, charge.reference),
    },
  };
}

/** Throws for a charge that did not succeed: only a success has a webhook. */
export function chargeSuccessEvent(reading: ChargeReading): ChargeSuccessEvent {
  const data = transactionData(reading);
  if (data.status !== 'success') throw new Error(`Charge ${data.reference} is ${data.status}; only a success is announced`);
  return { event: 'charge.success', data: { ...data, status: 'success' } };
}

function transactionData({ charge, observedAt }: ChargeReading): TransactionData {
  const status = chargeStatusAt(charge, observedAt);
  const settlement = charge.settlement;
  const paid = settlement?.status === 'success' ? settlement : null;
  return {
    id: jsonId(charge.id),
    status,
    reference: charge.reference,
    amount: jsonAmount(paid?.paidAmountMinor ?? charge.amountMinor),
    currency: paid?.paidCurrency ?? charge.currency,
    requested_amount: jsonAmount(charge.amountMinor),
    paid_at: paid?.settledAt.toISOString() ?? null,
    created_at: charge.createdAt.toISOString(),
    channel: settlement?.channel ?? null,
    gateway_response: settlement?.gatewayResponse ?? (status === 'abandoned' ? UNSETTLED_RESPONSES.abandoned : UNSETTLED_RESPONSES.ongoing),
    customer: { email: charge.email },
    metadata: charge.metadata,
  };
}

function settledOrFail(charge: Charge): NonNullable<Charge['settlement']> {
  if (!charge.settlement) throw new Error(`Charge ${charge.reference} has no settlement to report`);
  return charge.settlement;
}

function withReference(callbackUrl: string, reference: string): string {
  const url = new URL(callbackUrl);
  url.searchParams.set('trxref', reference);
  url.searchParams.set('reference', reference);
  return url.toString();
}

/** Ids come from a bigint identity column; one past 2^53 would be a loud bug, not a rounded id. */
function jsonId(id: bigint): number {
  if (id > BigInt(Number.MAX_SAFE_INTEGER) || id < 1n) throw new RangeError(`charge id ${id} cannot be written exactly as a JSON number`);
  return Number(id);
}
