import type { MinorUnits } from './wallet';

/**
 * Request-reply contract of the billing service: the provider catalogue, meter validation and the
 * user's bill payments. Amounts are decimal strings of minor units, as in the wallet contract.
 */
export const BILLING_PATTERNS = {
  listProviders: 'billing.list-providers.v1',
  validateMeter: 'billing.validate-meter.v1',
  getBill: 'billing.get-bill.v1',
  listBills: 'billing.list-bills.v1',
} as const;

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

export interface ElectricityProvider {
  readonly code: string;
  readonly name: string;
  readonly meterType: 'PREPAID' | 'POSTPAID';
  readonly minimumAmount: MinorUnits;
  readonly maximumAmount: MinorUnits;
  readonly fee: MinorUnits;
  readonly currency: string;
}

export interface ValidateMeterRequest {
  readonly providerCode: string;
  readonly meterNumber: string;
  /** When given, also checked against the provider's minimum and maximum. */
  readonly amount?: MinorUnits;
}

export interface MeterValidation {
  readonly providerCode: string;
  readonly providerName: string;
  readonly meterNumber: string;
  readonly meterType: 'PREPAID' | 'POSTPAID';
  readonly customerName: string;
  readonly address: string;
  readonly minimumAmount: MinorUnits;
  readonly maximumAmount: MinorUnits;
  readonly currency: string;
}

export interface BillPayment {
  /** The payment id the wallet gave it; also the request id sent to the provider. */
  readonly id: string;
  readonly walletId: string;
  readonly transactionId: string;
  readonly status: BillStatus;
  readonly amount: MinorUnits;
  readonly currency: string;
  readonly meterNumber: string;
  readonly providerCode: string;
  readonly reference: string;
  /** The 20-digit token to key into the meter; COMPLETED prepaid bills only. */
  readonly token: string | null;
  /** kWh bought, an exact decimal string. */
  readonly units: string | null;
  readonly providerReference: string | null;
  readonly failureCode: string | null;
  readonly failureMessage: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly completedAt: string | null;
}

export interface GetBillRequest {
  readonly userId: string;
  readonly billId: string;
}

export interface ListBillsRequest {
  readonly userId: string;
  readonly limit: number;
  readonly cursor?: string;
  readonly status?: BillStatus;
  readonly providerCode?: string;
  readonly from?: string;
  readonly to?: string;
}

export interface BillPage {
  readonly items: readonly BillPayment[];
  readonly nextCursor: string | null;
}
