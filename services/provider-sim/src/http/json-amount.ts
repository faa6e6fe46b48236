/**
 * Amounts leave as JSON integers of kobo. Every stored amount came in as a safe integer or from the
 * catalogue, so the conversion is exact; the check turns an impossible value into a loud bug.
 */
export function jsonAmount(kobo: bigint): number {
  if (kobo > BigInt(Number.MAX_SAFE_INTEGER) || kobo < 0n) throw new RangeError(`amount ${kobo} cannot be written exactly as a JSON number`);
  return Number(kobo);
}
