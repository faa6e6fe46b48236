/**
 * A charge as the simulated payment processor keeps it, in Paystack's terms: the merchant
 * initializes it (reference, amount), the customer pays it at the checkout, the merchant verifies
 * it. Amounts are integer minor units (kobo for NGN) as bigint, never floats.
 */

/** Paystack's reference alphabet: nothing that needs escaping in a URL path. */
export const CHARGE_REFERENCE_PATTERN = /^[A-Za-z0-9.=-]{1,100}$/;
export const CURRENCY_PATTERN = /^[A-Z]{3}$/;
export const DEFAULT_CURRENCY = 'NGN';
/** What the simulator hands out (see newAccessCode); a code of any other shape cannot exist. */
export const ACCESS_CODE_PATTERN = /^[a-z0-9]{20}$/;

/**
 * Paystack's statuses as verify reports them. `ongoing`: the checkout is open; `abandoned`: it
 * closed unpaid. Paystack has more (pending, reversed, queued) that this simulator never produces.
 */
export const CHARGE_STATUSES = ['ongoing', 'success', 'failed', 'abandoned'] as const;
export type ChargeStatus = (typeof CHARGE_STATUSES)[number];

export const CHANNELS = ['card', 'bank_transfer'] as const;
export type Channel = (typeof CHANNELS)[number];

/** What a merchant asks for; a replay of the reference must agree on the money (see sameMoney). */
export interface ChargeRequest {
  readonly reference: string;
  readonly email: string;
  readonly amountMinor: bigint;
  readonly currency: string;
  readonly callbackUrl: string | null;
  readonly metadata: Readonly<Record<string, unknown>> | null;
}

/** A charge about to be recorded: the access code is drawn by the caller, so this stays pure. */
export interface NewCharge extends ChargeRequest {
  readonly accessCode: string;
  /** How long the checkout stays open; the store turns it into `expiresAt` on the database's clock. */
  readonly ttlMs: number;
}

/**
 * How a payment ended. Only a success carries what was paid, which may differ from what was asked
 * (a bank transfer of another sum): verify reports the paid amount, as real processors do.
 */
export type Settlement =
  | {
      readonly status: 'success';
      readonly channel: Channel;
      readonly gatewayResponse: string;
      readonly paidAmountMinor: bigint;
      readonly paidCurrency: string;
    }
  | { readonly status: 'failed'; readonly channel: Channel; readonly gatewayResponse: string };

export interface Charge extends ChargeRequest {
  readonly id: bigint;
  readonly accessCode: string;
  readonly createdAt: Date;
  /** When the checkout closes for an unpaid charge. */
  readonly expiresAt: Date;
  /** Null while no payment has ended: the charge is ongoing, or abandoned once past `expiresAt`. */
  readonly settlement: (Settlement & { readonly settledAt: Date }) | null;
}

/** A charge together with the moment it was read, on the database's clock: what its status is judged at. */
export interface ChargeReading {
  readonly charge: Charge;
  readonly observedAt: Date;
}

/**
 * The status at a given moment. Abandonment is read from the clock rather than written by a timer,
 * so a restart or a charge nobody reads again can never be left with a wrong status.
 */
export function chargeStatusAt(charge: Charge, at: Date): ChargeStatus {
  if (charge.settlement) return charge.settlement.status;
  return at.getTime() >= charge.expiresAt.getTime() ? 'abandoned' : 'ongoing';
}

/**
 * Whether a repeated initialize describes the same money. Only amount and currency count: they
 * are what a retry must not change, and what the reference guards against being reused for.
 */
export function sameMoney(charge: ChargeRequest, request: ChargeRequest): boolean {
  return charge.amountMinor === request.amountMinor && charge.currency === request.currency;
}
