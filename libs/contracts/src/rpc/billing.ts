/**
 * Billing's stable error codes and the values its string fields take. The calls themselves are
 * defined in proto/bvs/billing/v1/billing.proto (types in ../grpc/billing.ts).
 */
export const BILLING_ERROR_CODES = {
  unknownProvider: 'BILLING.UNKNOWN_PROVIDER',
  meterNotFound: 'BILLING.METER_NOT_FOUND',
  meterBlocked: 'BILLING.METER_BLOCKED',
  amountOutOfRange: 'BILLING.AMOUNT_OUT_OF_RANGE',
  providerUnavailable: 'BILLING.PROVIDER_UNAVAILABLE',
  billNotFound: 'BILLING.BILL_NOT_FOUND',
  invalidCursor: 'BILLING.INVALID_CURSOR',
} as const;

export const BILL_STATUSES = ['PENDING', 'COMPLETED', 'FAILED'] as const;
export type BillStatus = (typeof BILL_STATUSES)[number];

export const METER_TYPES = ['PREPAID', 'POSTPAID'] as const;
export type MeterType = (typeof METER_TYPES)[number];
