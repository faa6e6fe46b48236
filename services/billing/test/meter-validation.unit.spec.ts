import { decideMeterValidation } from '../src/bills/domain/decide-meter-validation';
import type { MeterLookupResult } from '../src/bills/domain/provider-answers';

const found: MeterLookupResult = {
  kind: 'FOUND',
  providerName: 'Ikeja Electric',
  meterType: 'PREPAID',
  customerName: 'Ada Obi',
  address: '1 Marina, Lagos',
  minimumAmount: 100_000n,
  maximumAmount: 30_000_000n,
  currency: 'NGN',
};

describe('validating a meter before payment', () => {
  it.each([undefined, 100_000n, 250_000n, 30_000_000n])('given a known meter, when the amount is %s, then it is valid (limits inclusive)', (amount) => {
    expect(decideMeterValidation(found, amount)).toEqual({ kind: 'VALID', meter: found });
  });

  it.each([99_999n, 30_000_001n])('given a known meter, when the amount is %s, then it is refused as out of range with the limits', (amount) => {
    expect(decideMeterValidation(found, amount)).toEqual({
      kind: 'REFUSED',
      refusal: 'AMOUNT_OUT_OF_RANGE',
      limits: { minimumAmount: 100_000n, maximumAmount: 30_000_000n },
    });
  });

  it.each(['UNKNOWN_PROVIDER', 'METER_NOT_FOUND', 'METER_BLOCKED'] as const)('given the provider answers %s, then that is the refusal, whatever the amount', (kind) => {
    expect(decideMeterValidation({ kind, message: 'no' }, 1n)).toEqual({ kind: 'REFUSED', refusal: kind });
    expect(decideMeterValidation({ kind, message: 'no' }, undefined)).toEqual({ kind: 'REFUSED', refusal: kind });
  });
});
