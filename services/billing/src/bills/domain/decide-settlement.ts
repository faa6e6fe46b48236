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

/** A definite answer for one bill, as the bill worker hands it in. */
export interface BillAnswer {
  readonly billId: string;
  readonly settlement: Settlement;
}

/** The answer names a bill that is not in the table: a bug upstream, never a state to settle. */
export interface NoSuchBill {
  readonly kind: 'NO_SUCH_BILL';
}

/**
 * Several answers decided together, in order, on the bills as locked: an answer for a bill that an
 * earlier answer of the same batch settled changes nothing, exactly as if they had come one by one.
 */
export function decideSettlements(bills: ReadonlyMap<string, Bill>, answers: readonly BillAnswer[]): (SettlementDecision | NoSuchBill)[] {
  const current = new Map(bills);
  return answers.map(({ billId, settlement }) => {
    const bill = current.get(billId);
    if (!bill) return { kind: 'NO_SUCH_BILL' };
    const decision = decideSettlement(bill, settlement);
    if (decision.kind === 'SETTLE') current.set(billId, settledBill(bill, settlement));
    return decision;
  });
}

/** The bill as `settlement` leaves it. */
export function settledBill(bill: Bill, settlement: Settlement): SettledBill {
  const { payment, createdAt } = bill;
  return settlement.status === 'COMPLETED'
    ? { payment, createdAt, status: 'COMPLETED', token: settlement.token, units: settlement.units, providerReference: settlement.providerReference }
    : { payment, createdAt, status: 'FAILED', reasonCode: settlement.reasonCode, reasonMessage: settlement.reasonMessage, providerReference: settlement.providerReference };
}
