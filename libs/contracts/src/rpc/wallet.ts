/**
 * The wallet's stable error codes and the values its string fields take. The calls themselves
 * are defined in proto/bvs/wallet/v1/wallet.proto (types in ../grpc/wallet.ts): amounts are int64
 * minor units on the wire and decimal strings in TypeScript ("150000" = NGN 1,500.00), never floats.
 */
export const WALLET_ERROR_CODES = {
  invalidAmount: 'WALLET.INVALID_AMOUNT',
  amountOverLimit: 'WALLET.AMOUNT_OVER_LIMIT',
  insufficientFunds: 'WALLET.INSUFFICIENT_FUNDS',
  concurrentUpdate: 'WALLET.CONCURRENT_UPDATE',
  transactionNotFound: 'WALLET.TRANSACTION_NOT_FOUND',
  paymentNotFound: 'WALLET.PAYMENT_NOT_FOUND',
  invalidCursor: 'WALLET.INVALID_CURSOR',
  fundingDisabled: 'WALLET.FUNDING_DISABLED',
  processorUnavailable: 'WALLET.PROCESSOR_UNAVAILABLE',
  webhookSignatureInvalid: 'WALLET.WEBHOOK_SIGNATURE_INVALID',
  webhookMalformed: 'WALLET.WEBHOOK_MALFORMED',
  idempotencyConflict: 'IDEMPOTENCY.CONFLICT',
} as const;

export const TRANSACTION_TYPES = ['FUNDING', 'PAYMENT', 'REVERSAL'] as const;
export type TransactionType = (typeof TRANSACTION_TYPES)[number];

export const TRANSACTION_STATUSES = ['PENDING', 'COMPLETED', 'FAILED', 'REVERSED'] as const;
export type TransactionStatus = (typeof TRANSACTION_STATUSES)[number];

/** A decimal string of a non-negative integer count of minor units. */
export type MinorUnits = string;
