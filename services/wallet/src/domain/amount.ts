import { WALLET_ERROR_CODES } from '@bvs/contracts';
import { ServiceError } from '@bvs/platform';

const MINOR_UNITS = /^[1-9]\d{0,18}$/;

/**
 * Reads an amount of minor units from the wire: a decimal string of a positive integer, at most
 * `limit`. Anything else (zero, negative, fraction, exponent, text) is refused before any write.
 */
export function parseAmount(raw: unknown, limit: bigint): bigint {
  if (typeof raw !== 'string' || !MINOR_UNITS.test(raw)) {
    throw new ServiceError(WALLET_ERROR_CODES.invalidAmount, 400, 'The amount must be a positive whole number of minor units.', { field: 'amount' });
  }
  const amount = BigInt(raw);
  if (amount > limit) {
    throw new ServiceError(WALLET_ERROR_CODES.amountOverLimit, 400, `The amount must not exceed ${limit} minor units.`, { field: 'amount', limit: limit.toString() });
  }
  return amount;
}
