/** STS credit tokens carry energy in steps of 0.1 kWh (IEC 62055-41), so units are whole tenths. */
const TENTHS_PER_KWH = 10n;

/**
 * The energy an amount buys, as a decimal string of kWh with one decimal (e.g. `"23.8"`),
 * computed in integers: tenths = floor(amount * 10 / tariff). Rounding is always down, so the
 * customer never receives energy nobody paid for.
 */
export function unitsKwhFor(amountKobo: bigint, tariffKoboPerKwh: bigint): string {
  if (amountKobo <= 0n) throw new RangeError(`amount must be positive, got ${amountKobo}`);
  if (tariffKoboPerKwh <= 0n) throw new RangeError(`tariff must be positive, got ${tariffKoboPerKwh}`);
  const tenths = (amountKobo * TENTHS_PER_KWH) / tariffKoboPerKwh;
  return `${tenths / TENTHS_PER_KWH}.${tenths % TENTHS_PER_KWH}`;
}
