import type { BillPayment, BillStatus } from '@bvs/contracts';

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
  token: string | null;
  units: string | null;
  provider_reference: string | null;
  failure_code: string | null;
  failure_message: string | null;
  vend_sent_at: Date | null;
  attempts: number;
  created_at: Date;
  updated_at: Date;
  completed_at: Date | null;
}

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
