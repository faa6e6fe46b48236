import { WALLET_ERROR_CODES } from '@bvs/contracts';
import { ServiceError } from '@bvs/platform';
import { parseMinorUnits } from './domain/amount';
import type { WalletErrorCode, WalletRefusal } from './domain/wallet-refusal';

/** The HTTP status each refusal is answered with; the gateway answers it whatever transport carried it. */
const STATUS_BY_CODE: Readonly<Record<WalletErrorCode, number>> = {
  [WALLET_ERROR_CODES.invalidAmount]: 400,
  [WALLET_ERROR_CODES.amountOverLimit]: 400,
  [WALLET_ERROR_CODES.invalidCursor]: 400,
  [WALLET_ERROR_CODES.webhookMalformed]: 400,
  [WALLET_ERROR_CODES.webhookSignatureInvalid]: 401,
  [WALLET_ERROR_CODES.processorUnavailable]: 503,
  [WALLET_ERROR_CODES.fundingDisabled]: 403,
  [WALLET_ERROR_CODES.transactionNotFound]: 404,
  [WALLET_ERROR_CODES.paymentNotFound]: 404,
  [WALLET_ERROR_CODES.concurrentUpdate]: 409,
  [WALLET_ERROR_CODES.idempotencyConflict]: 409,
  [WALLET_ERROR_CODES.insufficientFunds]: 422,
};

/** A refusal of the domain as the error the service reports to its caller. */
export function toServiceError(refusal: WalletRefusal): ServiceError {
  return new ServiceError(refusal.code, STATUS_BY_CODE[refusal.code], refusal.message, refusal.details);
}

/** The amount of a request as it came over the wire: minor units in a decimal string, or a 400. */
export function amountFromWire(raw: unknown): bigint {
  const amount = parseMinorUnits(raw);
  if (typeof amount !== 'bigint') throw toServiceError(amount);
  return amount;
}
