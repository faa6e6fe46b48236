import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * What the payment processor says of a charge when asked (its verify endpoint): the source of
 * truth for crediting. A webhook only tells the wallet to ask.
 */
export type ChargeStatus = 'SUCCESS' | 'FAILED' | 'ABANDONED' | 'ONGOING';

export interface VerifiedCharge {
  readonly status: ChargeStatus;
  /** What was paid (or, unpaid, what was asked), integer minor units of `currency`. */
  readonly amount: bigint;
  readonly currency: string;
  readonly paidAt: string | null;
  readonly channel: string | null;
}

export type ChargeVerification = { readonly kind: 'FOUND'; readonly charge: VerifiedCharge } | { readonly kind: 'NOT_FOUND' };

/** What a webhook claims about a charge. It is checked against the funding it names, then the processor is asked. */
export interface ChargeClaim {
  readonly event: string;
  readonly processorReference: string;
  readonly amount: bigint;
  readonly currency: string;
}

/** The only webhook event that can lead to a credit. */
export const CHARGE_SUCCESS_EVENT = 'charge.success';

/** The processor's reference of the charge for a FUNDING: derived from the transaction id, so a retried initialize names the same charge. */
export function processorReferenceOf(fundingTransactionId: string): string {
  return `bvs-fund-${fundingTransactionId}`;
}

/**
 * True when `signature` is the lower-case hex HMAC-SHA512 of the raw body under the processor's
 * secret key, as Paystack signs its webhooks. Compared in constant time, so the answer's timing
 * does not lead a forger towards the right signature byte by byte.
 */
export function isSignedBy(secretKey: string, rawBody: Uint8Array, signature: string): boolean {
  const expected = createHmac('sha512', secretKey).update(rawBody).digest();
  if (!/^[0-9a-f]{128}$/.test(signature)) return false;
  return timingSafeEqual(expected, Buffer.from(signature, 'hex'));
}

/** Plain decimal digits, no sign or leading zero: what an amount of minor units may look like in a webhook. */
const MINOR_UNITS = /^[1-9]\d{0,18}$/;
const REFERENCE = /^[A-Za-z0-9.=-]{1,100}$/;
const CURRENCY = /^[A-Z]{3}$/;

/**
 * The claim in a webhook body, or null when the body is not the shape a processor sends. Amounts
 * arrive as JSON numbers; one above 2^53 was already rounded by the parser, so it is refused rather
 * than compared.
 */
export function chargeClaimOf(body: unknown): ChargeClaim | null {
  if (typeof body !== 'object' || body === null) return null;
  const { event, data } = body as { event?: unknown; data?: unknown };
  if (typeof event !== 'string' || typeof data !== 'object' || data === null) return null;
  const { reference, amount, currency } = data as { reference?: unknown; amount?: unknown; currency?: unknown };
  if (typeof reference !== 'string' || !REFERENCE.test(reference)) return null;
  if (typeof currency !== 'string' || !CURRENCY.test(currency)) return null;
  const digits = typeof amount === 'number' && Number.isSafeInteger(amount) ? String(amount) : typeof amount === 'string' ? amount : '';
  if (!MINOR_UNITS.test(digits)) return null;
  return { event, processorReference: reference, amount: BigInt(digits), currency };
}
