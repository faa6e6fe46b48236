import { PreparedStatement } from '@bvs/platform';
import type { EntityManager } from 'typeorm';

// Through the partial index of pending payments: the statement reads only the payments in flight, however large the book.
const COUNT_PENDING_PAYMENTS = new PreparedStatement(
  'payments_pending_count',
  `SELECT count(*)::int AS pending FROM wallet_transactions WHERE type = 'PAYMENT' AND status = 'PENDING'`,
);

/** Payments held and not yet completed or reversed, in every wallet. */
export async function countPendingPayments(manager: EntityManager): Promise<number> {
  const { rows } = await COUNT_PENDING_PAYMENTS.run<{ pending: number }>(manager, []);
  return rows[0]?.pending ?? 0;
}
