import { DISCO_CATALOGUE } from '../src/catalogue/domain/disco-catalogue';
import { unitsKwhFor } from '../src/vending/domain/units';

describe('unitsKwhFor', () => {
  it('divides kobo by the tariff in integers, to the 0.1 kWh STS resolution', () => {
    // NGN 5,000 at NGN 209.50/kWh = 23.866... kWh
    expect(unitsKwhFor(500_000n, 20_950n)).toBe('23.8');
    expect(unitsKwhFor(20_950n, 20_950n)).toBe('1.0');
    expect(unitsKwhFor(209_500n, 20_950n)).toBe('10.0');
  });

  it('always rounds down, so no energy is given away', () => {
    expect(unitsKwhFor(2_094n, 20_950n)).toBe('0.0');
    expect(unitsKwhFor(2_095n, 20_950n)).toBe('0.1');
    expect(unitsKwhFor(41_899n, 20_950n)).toBe('1.9');
  });

  it('stays exact beyond the range of floating-point numbers', () => {
    const amount = 9_007_199_254_740_993n; // 2^53 + 1, not representable as a double
    expect(unitsKwhFor(amount, 1n)).toBe(`${amount}.0`);
    expect(unitsKwhFor(amount, 3n)).toBe('3002399751580331.0');
  });

  it('refuses non-positive amounts and tariffs', () => {
    expect(() => unitsKwhFor(0n, 20_950n)).toThrow(RangeError);
    expect(() => unitsKwhFor(100n, 0n)).toThrow(RangeError);
  });

  it('gives at least 0.1 kWh for the minimum amount of every disco', () => {
    for (const disco of DISCO_CATALOGUE) {
      expect(Number(unitsKwhFor(disco.minimumAmountKobo, disco.tariffKoboPerKwh))).toBeGreaterThanOrEqual(0.1);
    }
  });
});
