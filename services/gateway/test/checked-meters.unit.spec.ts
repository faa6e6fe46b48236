import type { MeterValidation } from '@bvs/contracts';
import { CheckedMeters, isWithinLimits } from '../src/bills/checked-meters';

const TTL_MS = 60_000;
const meter = (meterNumber: string, minimumAmount = '100000', maximumAmount = '30000000'): MeterValidation => ({
  providerCode: 'ikeja-electric-prepaid',
  providerName: 'Ikeja Electric',
  meterNumber,
  meterType: 'PREPAID',
  customerName: 'Adaeze Okonkwo',
  address: '12 Allen Avenue, Ikeja, Lagos',
  minimumAmount,
  maximumAmount,
  currency: 'NGN',
});

function checkedMetersAt(startMs: number, ttlMs = TTL_MS, maxEntries = 100) {
  let nowMs = startMs;
  const meters = new CheckedMeters(ttlMs, maxEntries, () => nowMs);
  return { meters, advance: (ms: number) => (nowMs += ms) };
}

describe('the limits of a meter that checked out', () => {
  it('given limits, when an amount is at either bound, then it is within them (billing includes both)', () => {
    const limits = { minimumAmount: 100_000n, maximumAmount: 30_000_000n };
    expect([99_999n, 100_000n, 30_000_000n, 30_000_001n].map((amount) => isWithinLimits(limits, amount))).toEqual([false, true, true, false]);
  });
});

describe('meters this gateway saw check out', () => {
  it('given a meter that checked out, when it is paid within its limits before the entry ages out, then billing need not be asked', () => {
    const { meters, advance } = checkedMetersAt(1_000);
    meters.remember(meter('1111111111111'));
    advance(TTL_MS - 1);
    expect(meters.accepts('ikeja-electric-prepaid', '1111111111111', 500_000n)).toBe(true);
  });

  it('given a meter that checked out, when the amount is outside its limits, then billing is asked (it refuses with its own code)', () => {
    const { meters } = checkedMetersAt(1_000);
    meters.remember(meter('1111111111111'));
    expect(meters.accepts('ikeja-electric-prepaid', '1111111111111', 99_999n)).toBe(false);
    expect(meters.accepts('ikeja-electric-prepaid', '1111111111111', 30_000_001n)).toBe(false);
  });

  it('given a meter that checked out, when its entry has aged out, then billing is asked again', () => {
    const { meters, advance } = checkedMetersAt(1_000);
    meters.remember(meter('1111111111111'));
    advance(TTL_MS);
    expect(meters.accepts('ikeja-electric-prepaid', '1111111111111', 500_000n)).toBe(false);
  });

  it('given a meter of one provider, when another provider or meter is paid, then nothing is known of it', () => {
    const { meters } = checkedMetersAt(1_000);
    meters.remember(meter('1111111111111'));
    expect(meters.accepts('eko-electric-prepaid', '1111111111111', 500_000n)).toBe(false);
    expect(meters.accepts('ikeja-electric-prepaid', '1111111111112', 500_000n)).toBe(false);
  });

  it('given a time to live of 0, when a meter checks out, then nothing is kept', () => {
    const { meters } = checkedMetersAt(1_000, 0);
    meters.remember(meter('1111111111111'));
    expect(meters.accepts('ikeja-electric-prepaid', '1111111111111', 500_000n)).toBe(false);
  });

  it('given a full cache, when another meter checks out, then the least recently used one is forgotten', () => {
    const { meters } = checkedMetersAt(1_000, TTL_MS, 2);
    meters.remember(meter('1000000001'));
    meters.remember(meter('1000000002'));
    expect(meters.accepts('ikeja-electric-prepaid', '1000000001', 500_000n)).toBe(true);
    meters.remember(meter('1000000003'));
    expect(['1000000001', '1000000002', '1000000003'].map((number) => meters.accepts('ikeja-electric-prepaid', number, 500_000n))).toEqual([true, false, true]);
  });
});
