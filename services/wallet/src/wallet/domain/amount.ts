import { REFUSALS, type WalletRefusal } from './wallet-refusal';

/** A positive integer in plain decimal: no sign, fraction, exponent or leading zero; 19 digits fit a PostgreSQL bigint. */
const MINOR_UNITS = /^[1-9]\d{0,18}$/;

/**
 * Reads an amount of minor units as it travels on the wire, a decimal string (JSON has no 64-bit
 * integer, and a string cannot be rounded). Anything else is refused before any write.
 */
export function parseMinorUnits(raw: unknown): bigint | WalletRefusal {
  if (typeof raw !== 'string' || !MINOR_UNITS.test(raw)) return REFUSALS.invalidAmount();
  return BigInt(raw);
}

/** A single funding or payment moves at least one minor unit and at most its configured limit. */
export function checkAmount(amountMinor: bigint, limitMinor: bigint): WalletRefusal | null {
  if (amountMinor < 1n) return REFUSALS.invalidAmount();
  if (amountMinor > limitMinor) return REFUSALS.amountOverLimit(limitMinor);
  return null;
}
