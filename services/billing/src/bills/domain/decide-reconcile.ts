import type { Bill } from './bill';

/** The alert name operators search the logs for. */
export const BILL_PENDING_TOO_LONG = 'BILL_PENDING_TOO_LONG';

export interface ReconcilePolicy {
  /** A bill still PENDING this long after it was recorded needs someone's attention. */
  readonly pendingTooLongAfterMs: number;
}

export type ReconcileDecision =
  | { readonly kind: 'REQUERY_NOW'; readonly alert: typeof BILL_PENDING_TOO_LONG; readonly pendingSince: Date }
  | { readonly kind: 'LEAVE'; readonly because: 'SETTLED' | 'WITHIN_WINDOW' | 'ALREADY_DUE' };

/** Bills recorded before this instant are pending too long if they are still pending. */
export function pendingTooLongCutoff(now: Date, policy: ReconcilePolicy): Date {
  return new Date(now.getTime() - policy.pendingTooLongAfterMs);
}

/**
 * A bill pending past the window is reported and made due at once, whatever its backoff said: it
 * is still only requeried, never failed, because its outcome is still unknown. One already due
 * will be worked anyway and is not reported again.
 */
export function decideReconcile(bill: Bill, now: Date, policy: ReconcilePolicy): ReconcileDecision {
  if (bill.status !== 'PENDING') return { kind: 'LEAVE', because: 'SETTLED' };
  if (bill.createdAt.getTime() >= pendingTooLongCutoff(now, policy).getTime()) return { kind: 'LEAVE', because: 'WITHIN_WINDOW' };
  if (bill.dueAt.getTime() <= now.getTime()) return { kind: 'LEAVE', because: 'ALREADY_DUE' };
  return { kind: 'REQUERY_NOW', alert: BILL_PENDING_TOO_LONG, pendingSince: bill.createdAt };
}
