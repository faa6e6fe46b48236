import type { Bill, SettledBill, Settlement } from './bill';

export type SettlementDecision =
  | { readonly kind: 'SETTLE'; readonly settlement: Settlement }
  | { readonly kind: 'ALREADY_SETTLED'; readonly settledAs: SettledBill['status'] };

/**
 * A bill is settled once: the first definite answer wins and its event is the only one ever sent.
 * A later answer (a step that outlived its lease, a late requery) changes nothing.
 */
export function decideSettlement(bill: Bill, settlement: Settlement): SettlementDecision {
  if (bill.status !== 'PENDING') return { kind: 'ALREADY_SETTLED', settledAs: bill.status };
  return { kind: 'SETTLE', settlement };
}
