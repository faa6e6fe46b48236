/**
 * What one replica knows of the payments held and not yet settled: the count it last read from the
 * book, and how many it let in since that read began (they may or may not be in the count, so they
 * are counted again: the estimate errs high, never low, for what this replica admits).
 */
export interface PendingPaymentsEstimate {
  readonly pendingAtRead: number;
  readonly admittedSinceRead: number;
}

/** How many more payments may be let in now without the pending ones passing `bound`. */
export function paymentsAdmissible(estimate: PendingPaymentsEstimate, bound: number): number {
  return Math.max(0, bound - estimate.pendingAtRead - estimate.admittedSinceRead);
}
