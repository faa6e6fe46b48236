// Generated from libs/contracts/proto/bvs/wallet/v1/wallet.proto by tools/generate-grpc-types.mjs. Edit the .proto, then run
// `node tools/generate-grpc-types.mjs`; a unit test fails while this file is stale.

export type GetBalanceRequest = Record<string, never>;

export interface WalletBalance {
  readonly walletId: string;
  readonly currency: string;
  readonly available: string;
  readonly held: string;
  readonly total: string;
  readonly updatedAt: string;
}

export interface FundWalletRequest {
  readonly amount: string;
  readonly reference: string;
}

export interface ProcessorWebhook {
  /** The request body exactly as the processor sent it: the signature covers these bytes. */
  readonly payload: Uint8Array;
  /** The processor's signature header (x-paystack-signature): lower-case hex HMAC-SHA512. */
  readonly signature: string;
}

export interface ProcessorWebhookReceipt {
  /** What the webhook did: CREDITED, or why it credited nothing (ALREADY_CREDITED, UNKNOWN_REFERENCE, AMOUNT_MISMATCH, CURRENCY_MISMATCH, NOT_SUCCESSFUL, IGNORED_EVENT). */
  readonly outcome: string;
}

export interface WalletTransaction {
  readonly id: string;
  readonly walletId: string;
  /** FUNDING, PAYMENT or REVERSAL. */
  readonly type: string;
  /** PENDING, COMPLETED, FAILED or REVERSED. */
  readonly status: string;
  readonly amount: string;
  readonly currency: string;
  readonly reference?: string | null;
  readonly paymentId?: string | null;
  readonly reversesTransactionId?: string | null;
  readonly availableAfter: string;
  readonly failureReason?: string | null;
  readonly details: Readonly<Record<string, string>>;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface WalletOperationResult {
  readonly transaction: WalletTransaction;
  readonly replayed: boolean;
}

export interface ListTransactionsRequest {
  /** 1 to 100. */
  readonly limit: number;
  readonly cursor?: string | null;
  readonly type?: string | null;
  readonly status?: string | null;
  readonly from?: string | null;
  readonly to?: string | null;
}

export interface TransactionPage {
  readonly items: readonly WalletTransaction[];
  readonly nextCursor?: string | null;
}

export interface GetTransactionRequest {
  readonly transactionId: string;
}

export interface GetPaymentRequest {
  readonly paymentId: string;
}

export interface InitiatePaymentRequest {
  readonly amount: string;
  readonly reference: string;
  readonly meterNumber: string;
  readonly providerCode: string;
}

export interface PaymentInitiation {
  readonly paymentId: string;
  readonly transactionId: string;
  readonly walletId: string;
  readonly status: string;
  readonly amount: string;
  readonly currency: string;
  readonly reference: string;
  readonly meterNumber: string;
  readonly providerCode: string;
  readonly createdAt: string;
  readonly replayed: boolean;
}

export interface FindPaymentByReferenceRequest {
  readonly reference: string;
}

export interface PaymentLookup {
  /** Absent when the reference has not started a payment. */
  readonly payment?: PaymentInitiation | null;
}

/** `bvs.wallet.v1.WalletService`: where it is defined and what each method takes and answers. */
export const WALLET_SERVICE = {
  package: 'bvs.wallet.v1',
  service: 'WalletService',
  protoFile: 'bvs/wallet/v1/wallet.proto',
} as const;

export interface WalletServiceMethods {
  readonly GetBalance: { readonly request: GetBalanceRequest; readonly response: WalletBalance };
  /** Idempotent on reference: a replay answers the original transaction with replayed = true. With a payment processor, the answer is a PENDING FUNDING whose details carry the processor's reference (processorReference) and the checkout page (checkoutUrl); it is COMPLETED when the processor's webhook is verified. In a sandbox deployment it is credited at once (COMPLETED). */
  readonly FundWallet: { readonly request: FundWalletRequest; readonly response: WalletOperationResult };
  /** The payment processor's webhook, passed on untouched by the gateway. Needs no access token: the HMAC-SHA512 signature over the raw body, with the processor's secret key, is the credential. The charge is then verified with the processor before anything is credited. */
  readonly AcceptProcessorWebhook: { readonly request: ProcessorWebhook; readonly response: ProcessorWebhookReceipt };
  readonly ListTransactions: { readonly request: ListTransactionsRequest; readonly response: TransactionPage };
  readonly GetTransaction: { readonly request: GetTransactionRequest; readonly response: WalletTransaction };
  /** Holds the amount and requests the vend. Idempotent on reference, as FundWallet. */
  readonly InitiatePayment: { readonly request: InitiatePaymentRequest; readonly response: PaymentInitiation };
  readonly GetPayment: { readonly request: GetPaymentRequest; readonly response: WalletTransaction };
  /** The payment a reference already started, if any: lets a replayed pay request answer its original result before anything else is checked. */
  readonly FindPaymentByReference: { readonly request: FindPaymentByReferenceRequest; readonly response: PaymentLookup };
}
