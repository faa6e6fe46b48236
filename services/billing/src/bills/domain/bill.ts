import type { PaymentRequestedPayload } from '@bvs/contracts';

/**
 * A bill payment's life, as a state machine:
 *
 * ```
 *   (payment requested) ──► PENDING/NOT_SENT ──vend sent──► PENDING/AWAITING_REQUERY
 *                                 │  ▲                          │  ▲
 *                                 │  └── requery later ─────────┤  └── requery later
 *                                 ▼                             ▼
 *                       COMPLETED (token, units)  or  FAILED (reason)      ── both final
 * ```
 *
 * NOT_SENT means the provider has certainly never been asked; once the vend is marked sent the
 * provider may have it, so from then on it is asked (requeried) before anything else; only when
 * the provider has no record of it is the vend sent again, with the same request id. Only a
 * definite answer settles a bill, and a settled bill never changes again.
 */

/** What the wallet asked for, fixed once the bill is recorded. `paymentId` is the bill's id and the provider's request id. */
export interface RequestedPayment extends PaymentRequestedPayload {
  /** Carried into the outcome event, so one user intent can be followed across services. */
  readonly correlationId: string;
  /**
   * The trace the payment was requested in (W3C traceparent, opaque here), which every step of the
   * bill continues; null when nothing was traced.
   */
  readonly traceparent: string | null;
}

export type PendingPhase = 'NOT_SENT' | 'AWAITING_REQUERY';

interface BillBase {
  readonly payment: RequestedPayment;
  readonly createdAt: Date;
}

export interface PendingBill extends BillBase {
  readonly status: 'PENDING';
  readonly phase: PendingPhase;
  /** Steps claimed so far (a step counts from its claim): the exponent of the requery backoff. */
  readonly attempts: number;
  /** When the next step is due (the database's clock). */
  readonly dueAt: Date;
}

export interface CompletedBill extends BillBase {
  readonly status: 'COMPLETED';
  /** Empty for a postpaid bill, which delivers no token. */
  readonly token: string;
  readonly units: string | null;
  readonly providerReference: string | null;
}

export interface FailedBill extends BillBase {
  readonly status: 'FAILED';
  readonly reasonCode: string;
  readonly reasonMessage: string | null;
  readonly providerReference: string | null;
}

export type SettledBill = CompletedBill | FailedBill;
export type Bill = PendingBill | SettledBill;

/** A definite answer from the provider, the only thing that may end a PENDING bill. */
export type Settlement =
  | { readonly status: 'COMPLETED'; readonly token: string; readonly units: string; readonly providerReference: string }
  | { readonly status: 'FAILED'; readonly reasonCode: string; readonly reasonMessage: string; readonly providerReference: string | null };
