import type { Bill, RequestedPayment } from './bill';

export type RecordDecision =
  | { readonly kind: 'RECORD_PENDING'; readonly payment: RequestedPayment }
  | { readonly kind: 'ALREADY_RECORDED'; readonly status: Bill['status'] };

/**
 * A requested payment becomes one PENDING bill, not yet sent. The bill's id is the payment id, so a
 * redelivered request finds the bill it made and changes nothing, whatever became of that bill.
 */
export function decideRecordRequestedPayment(existing: Bill | null, payment: RequestedPayment): RecordDecision {
  if (existing) return { kind: 'ALREADY_RECORDED', status: existing.status };
  return { kind: 'RECORD_PENDING', payment };
}
