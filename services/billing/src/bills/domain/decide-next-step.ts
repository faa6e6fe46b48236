import type { PendingBill, Settlement } from './bill';
import type { RequeryOutcome, VendOutcome } from './provider-answers';
import { requeryDelayMs, type RequeryPolicy } from './requery-backoff';

/**
 * SEND_VEND: the provider has certainly never had this bill; send it (the claim that handed out
 * this step has already recorded it as sent, so the reference is persisted before the call).
 * REQUERY: it may have it; ask before anything else.
 */
export type ProviderCall = 'SEND_VEND' | 'REQUERY';

export interface RequeryLater {
  readonly kind: 'REQUERY_LATER';
  readonly delayMs: number;
  /** Why the outcome is not known yet, kept on the bill for whoever looks at it. */
  readonly reason: string;
}

export type NextStep = { readonly kind: 'SETTLE'; readonly settlement: Settlement } | RequeryLater;

/** The provider never got the vend: sending it again is safe, as it carries the same request id. */
export interface VendAgain {
  readonly kind: 'VEND_AGAIN';
}

export function decideProviderCall(bill: PendingBill): ProviderCall {
  return bill.phase === 'NOT_SENT' ? 'SEND_VEND' : 'REQUERY';
}

/**
 * What a pending bill does with the provider's answer. Only a definite answer settles it; pending,
 * unknown (timeout, dropped connection, transient errors that persisted) is asked again later and
 * never taken for a failure.
 */
export function decideNextStep(bill: PendingBill, outcome: VendOutcome, policy: RequeryPolicy, random: () => number): NextStep;
export function decideNextStep(bill: PendingBill, outcome: RequeryOutcome, policy: RequeryPolicy, random: () => number): NextStep | VendAgain;
export function decideNextStep(bill: PendingBill, outcome: RequeryOutcome, policy: RequeryPolicy, random: () => number): NextStep | VendAgain {
  switch (outcome.kind) {
    case 'SUCCEEDED':
      return { kind: 'SETTLE', settlement: { status: 'COMPLETED', token: outcome.token, units: outcome.units, providerReference: outcome.providerReference } };
    case 'FAILED':
      return {
        kind: 'SETTLE',
        settlement: { status: 'FAILED', reasonCode: outcome.reasonCode, reasonMessage: outcome.reasonMessage, providerReference: outcome.providerReference },
      };
    case 'NOT_RECEIVED':
      return { kind: 'VEND_AGAIN' };
    case 'PENDING':
      return requeryLater(bill, outcome.kind, policy, random);
    case 'UNKNOWN':
      return requeryLater(bill, outcome.cause, policy, random);
  }
}

/** The step learnt nothing definite (or broke before it could): the bill stays pending and is asked about again. */
export function requeryLater(bill: PendingBill, reason: string, policy: RequeryPolicy, random: () => number): RequeryLater {
  return { kind: 'REQUERY_LATER', delayMs: requeryDelayMs(bill.attempts, policy, random), reason };
}
