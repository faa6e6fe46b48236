import type { BillPayment, BillStatus } from '@bvs/contracts';
import type { Bill, RequestedPayment } from '../domain/bill';

const BILL_COLUMN_NAMES = [
  'id', 'user_id', 'wallet_id', 'transaction_id', 'status', 'amount', 'currency', 'meter_number', 'provider_code', 'client_reference',
  'correlation_id', 'traceparent', 'token', 'units', 'provider_reference', 'failure_code', 'failure_message', 'vend_sent_at', 'attempts',
  'next_attempt_at', 'claimed_until', 'last_error', 'created_at', 'updated_at', 'completed_at',
] as const satisfies readonly (keyof BillRow)[];

/**
 * The columns of a `BillRow`, named rather than `*`: a prepared statement keeps its result's shape, and
 * a column a later migration adds would otherwise fail it ("cached plan must not change result type").
 * `prefix` qualifies each one, for a statement that joins.
 */
export function billColumns(prefix = ''): string {
  return BILL_COLUMN_NAMES.map((column) => `${prefix}${column}`).join(', ');
}

/** A `bill_payments` row as `pg` returns it: BIGINT comes back as a string, exact, and becomes a bigint only here. */
export interface BillRow {
  id: string;
  user_id: string;
  wallet_id: string;
  transaction_id: string;
  status: BillStatus;
  amount: string;
  currency: string;
  meter_number: string;
  provider_code: string;
  client_reference: string;
  correlation_id: string;
  traceparent: string | null;
  token: string | null;
  units: string | null;
  provider_reference: string | null;
  failure_code: string | null;
  failure_message: string | null;
  vend_sent_at: Date | null;
  attempts: number;
  next_attempt_at: Date;
  claimed_until: Date | null;
  last_error: string | null;
  created_at: Date;
  updated_at: Date;
  completed_at: Date | null;
}

export function toBill(row: BillRow): Bill {
  const payment: RequestedPayment = {
    paymentId: row.id,
    transactionId: row.transaction_id,
    walletId: row.wallet_id,
    userId: row.user_id,
    amountMinor: BigInt(row.amount),
    currency: row.currency,
    meterNumber: row.meter_number,
    providerCode: row.provider_code,
    clientReference: row.client_reference,
    correlationId: row.correlation_id,
    traceparent: row.traceparent,
  };
  const base = { payment, createdAt: row.created_at };
  switch (row.status) {
    case 'PENDING':
      return { ...base, status: 'PENDING', phase: row.vend_sent_at ? 'AWAITING_REQUERY' : 'NOT_SENT', attempts: row.attempts, dueAt: row.next_attempt_at };
    case 'COMPLETED':
      return { ...base, status: 'COMPLETED', token: required(row, 'token'), units: row.units, providerReference: row.provider_reference };
    case 'FAILED':
      return { ...base, status: 'FAILED', reasonCode: required(row, 'failure_code'), reasonMessage: row.failure_message, providerReference: row.provider_reference };
  }
}

/** The table's CHECK guarantees these columns for a settled bill; a row without one is corrupt, not a state. */
function required(row: BillRow, column: 'token' | 'failure_code'): string {
  const value = row[column];
  if (value === null) throw new Error(`Bill ${row.id} is ${row.status} without ${column}`);
  return value;
}

/** The view the API answers with; amounts stay decimal strings of minor units. */
export function toBillPayment(row: BillRow): BillPayment {
  return {
    id: row.id,
    walletId: row.wallet_id,
    transactionId: row.transaction_id,
    status: row.status,
    amount: row.amount,
    currency: row.currency,
    meterNumber: row.meter_number,
    providerCode: row.provider_code,
    reference: row.client_reference,
    token: row.token,
    units: row.units,
    providerReference: row.provider_reference,
    failureCode: row.failure_code,
    failureMessage: row.failure_message,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    completedAt: row.completed_at?.toISOString() ?? null,
  };
}
