// Generated from libs/contracts/proto/bvs/billing/v1/billing.proto by tools/generate-grpc-types.mjs. Edit the .proto, then run
// `node tools/generate-grpc-types.mjs`; a unit test fails while this file is stale.

export type ListProvidersRequest = Record<string, never>;

export interface ElectricityProvider {
  readonly code: string;
  readonly name: string;
  /** PREPAID or POSTPAID. */
  readonly meterType: string;
  readonly minimumAmount: string;
  readonly maximumAmount: string;
  readonly fee: string;
  readonly currency: string;
}

export interface ProviderList {
  readonly providers: readonly ElectricityProvider[];
}

export interface ValidateMeterRequest {
  readonly providerCode: string;
  readonly meterNumber: string;
  /** When given, also checked against the provider's minimum and maximum. */
  readonly amount?: string | null;
}

export interface MeterValidation {
  readonly providerCode: string;
  readonly providerName: string;
  readonly meterNumber: string;
  readonly meterType: string;
  readonly customerName: string;
  readonly address: string;
  readonly minimumAmount: string;
  readonly maximumAmount: string;
  readonly currency: string;
}

export interface BillPayment {
  readonly id: string;
  readonly walletId: string;
  readonly transactionId: string;
  /** PENDING, COMPLETED or FAILED. */
  readonly status: string;
  readonly amount: string;
  readonly currency: string;
  readonly meterNumber: string;
  readonly providerCode: string;
  readonly reference: string;
  readonly token?: string | null;
  readonly units?: string | null;
  readonly providerReference?: string | null;
  readonly failureCode?: string | null;
  readonly failureMessage?: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly completedAt?: string | null;
}

export interface GetBillRequest {
  readonly billId: string;
}

export interface ListBillsRequest {
  /** 1 to 100. */
  readonly limit: number;
  readonly cursor?: string | null;
  readonly status?: string | null;
  readonly providerCode?: string | null;
  readonly from?: string | null;
  readonly to?: string | null;
}

export interface BillPage {
  readonly items: readonly BillPayment[];
  readonly nextCursor?: string | null;
}

/** `bvs.billing.v1.BillingService`: where it is defined and what each method takes and answers. */
export const BILLING_SERVICE = {
  package: 'bvs.billing.v1',
  service: 'BillingService',
  protoFile: 'bvs/billing/v1/billing.proto',
} as const;

export interface BillingServiceMethods {
  readonly ListProviders: { readonly request: ListProvidersRequest; readonly response: ProviderList };
  /** The customer behind a meter, for the user to confirm before paying. */
  readonly ValidateMeter: { readonly request: ValidateMeterRequest; readonly response: MeterValidation };
  readonly GetBill: { readonly request: GetBillRequest; readonly response: BillPayment };
  readonly ListBills: { readonly request: ListBillsRequest; readonly response: BillPage };
}
