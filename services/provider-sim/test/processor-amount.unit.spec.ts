import { parseMinorAmount } from '../src/processor/domain/minor-amount';

describe('parseMinorAmount', () => {
  it('given a positive safe JSON integer, when parsed, then it is that many minor units', () => {
    expect(parseMinorAmount(1)).toBe(1n);
    expect(parseMinorAmount(500_000)).toBe(500_000n);
    expect(parseMinorAmount(Number.MAX_SAFE_INTEGER)).toBe(9_007_199_254_740_991n);
  });

  it('given a string of decimal digits, when parsed, then it is exact, up to the largest safe integer', () => {
    expect(parseMinorAmount('500000')).toBe(500_000n);
    expect(parseMinorAmount('0500')).toBe(500n);
    expect(parseMinorAmount('9007199254740991')).toBe(9_007_199_254_740_991n);
  });

  it('given zero, a negative, a fraction or a number past 2^53, when parsed, then it is refused', () => {
    for (const value of [0, -1, 1.5, 0.1, Number.MAX_SAFE_INTEGER + 1, 1e21, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(parseMinorAmount(value)).toBeNull();
    }
  });

  it('given a string that is not plain digits or is out of range, when parsed, then it is refused', () => {
    for (const value of ['', '0', '000', '-1', '+1', '1.0', '1e3', ' 1', '1 ', '0x10', '１２', '9007199254740992', '99999999999999999999', '1'.repeat(21)]) {
      expect(parseMinorAmount(value)).toBeNull();
    }
  });

  it('given anything but a number or a string, when parsed, then it is refused', () => {
    for (const value of [null, undefined, true, 10n, [100], { amount: 100 }]) {
      expect(parseMinorAmount(value)).toBeNull();
    }
  });
});
