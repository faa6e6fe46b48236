import { WALLET_ERROR_CODES } from '@bvs/contracts';
import { checkAmount, parseMinorUnits } from '../src/wallet/domain/amount';

describe('amounts of money on the way in', () => {
  it.each(['1', '150000', '9999999999999999999'])('given the wire text %s, when it is read, then it is that many minor units', (raw) => {
    expect(parseMinorUnits(raw)).toBe(BigInt(raw));
  });

  it.each([['0'], ['-1'], ['1.5'], ['1e3'], ['01'], [' 1'], ['10000000000000000000'], [''], [100], [null], [undefined]])(
    'given the wire value %p, when it is read, then it is refused as an invalid amount',
    (raw) => {
      expect(parseMinorUnits(raw)).toEqual({
        kind: 'REFUSED',
        code: WALLET_ERROR_CODES.invalidAmount,
        message: 'The amount must be a positive whole number of minor units.',
        details: { field: 'amount' },
      });
    },
  );

  it('given a limit of 1 000, when 1 000 is asked for, then the amount is within the limit', () => {
    expect(checkAmount(1_000n, 1_000n)).toBeNull();
    expect(checkAmount(1n, 1_000n)).toBeNull();
  });

  it('given a limit of 1 000, when 1 001 is asked for, then it is refused as over the limit, naming the limit', () => {
    expect(checkAmount(1_001n, 1_000n)).toEqual({
      kind: 'REFUSED',
      code: WALLET_ERROR_CODES.amountOverLimit,
      message: 'The amount must not exceed 1000 minor units.',
      details: { field: 'amount', limit: '1000' },
    });
  });

  it('given any limit, when nothing or less is asked for, then it is refused as an invalid amount', () => {
    expect(checkAmount(0n, 1_000n)).toMatchObject({ code: WALLET_ERROR_CODES.invalidAmount });
    expect(checkAmount(-5n, 1_000n)).toMatchObject({ code: WALLET_ERROR_CODES.invalidAmount });
  });
});
