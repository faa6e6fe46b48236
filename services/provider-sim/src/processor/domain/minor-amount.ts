const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
/** Longer than any safe integer even with a few leading zeros; a longer string is refused unread. */
const MAX_DIGITS = 20;

/**
 * An amount in minor units as Paystack accepts it: a JSON integer or a string of decimal digits,
 * greater than zero and at most Number.MAX_SAFE_INTEGER. Null for anything else: fractions,
 * signs, exponents, spaces, and JSON numbers too large to have survived JSON.parse exactly.
 */
export function parseMinorAmount(value: unknown): bigint | null {
  let amount: bigint;
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) return null;
    amount = BigInt(value);
  } else if (typeof value === 'string') {
    if (value.length > MAX_DIGITS || !/^[0-9]+$/.test(value)) return null;
    amount = BigInt(value);
  } else {
    return null;
  }
  return amount > 0n && amount <= MAX_SAFE ? amount : null;
}
