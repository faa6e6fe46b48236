import { WALLET_ERROR_CODES } from '@bvs/contracts';

/** The wallet's stable error codes, as its public contract lists them. */
export type WalletErrorCode = (typeof WALLET_ERROR_CODES)[keyof typeof WALLET_ERROR_CODES];

/**
 * Why the wallet will not do what it was asked. A decision returns it instead of a change, so
 * nothing is written. It carries no transport status: the edge picks that from the code.
 */
export interface WalletRefusal {
  readonly kind: 'REFUSED';
  readonly code: WalletErrorCode;
  readonly message: string;
  readonly details?: Readonly<Record<string, string>>;
}

function refusal(code: WalletErrorCode, message: string, details?: Readonly<Record<string, string>>): WalletRefusal {
  return details ? { kind: 'REFUSED', code, message, details } : { kind: 'REFUSED', code, message };
}

/** Every refusal the wallet gives, with the words its callers have always read. */
export const REFUSALS = {
  invalidAmount: () => refusal(WALLET_ERROR_CODES.invalidAmount, 'The amount must be a positive whole number of minor units.', { field: 'amount' }),
  amountOverLimit: (limitMinor: bigint) =>
    refusal(WALLET_ERROR_CODES.amountOverLimit, `The amount must not exceed ${limitMinor} minor units.`, { field: 'amount', limit: limitMinor.toString() }),
  insufficientFunds: (availableMinor: bigint) =>
    refusal(WALLET_ERROR_CODES.insufficientFunds, 'The available balance is lower than the amount.', { available: availableMinor.toString() }),
  idempotencyConflict: (earlierTransactionId: string) =>
    refusal(WALLET_ERROR_CODES.idempotencyConflict, 'This reference was already used for a different request.', { transactionId: earlierTransactionId }),
  concurrentUpdate: () => refusal(WALLET_ERROR_CODES.concurrentUpdate, 'The wallet is being changed by other requests; retry with the same reference.'),
  transactionNotFound: () => refusal(WALLET_ERROR_CODES.transactionNotFound, 'No such transaction.'),
  paymentNotFound: () => refusal(WALLET_ERROR_CODES.paymentNotFound, 'No such payment.'),
  processorUnavailable: () =>
    refusal(WALLET_ERROR_CODES.processorUnavailable, 'The payment processor could not be reached; nothing was charged. Retry with the same reference.'),
  webhookSignatureInvalid: () => refusal(WALLET_ERROR_CODES.webhookSignatureInvalid, 'The webhook signature does not match its body.'),
  webhookMalformed: () => refusal(WALLET_ERROR_CODES.webhookMalformed, 'The webhook body is not a charge event.'),
  fundingDisabled: () =>
    refusal(WALLET_ERROR_CODES.fundingDisabled, 'This deployment has no payment processor configured and does not credit wallets directly.'),
} as const;
