import { stsToken } from '../src/vending/domain/sts-token';

describe('stsToken', () => {
  it('is 20 plain digits whose value fits in 66 bits, as an STS token', () => {
    for (let index = 0; index < 500; index += 1) {
      const token = stsToken(`request-${index}`, '1111111111111', 500_000n);
      expect(token).toMatch(/^\d{20}$/);
      expect(BigInt(token)).toBeLessThan(1n << 66n);
    }
  });

  it('is the same for the same vend, so a late or repeated resolution cannot change it', () => {
    expect(stsToken('r-1', '1111111111111', 500_000n)).toBe(stsToken('r-1', '1111111111111', 500_000n));
  });

  it('differs between vends', () => {
    const tokens = new Set(Array.from({ length: 1_000 }, (_, index) => stsToken(`r-${index}`, '1111111111111', 500_000n)));
    expect(tokens.size).toBe(1_000);
    expect(stsToken('r-1', '1111111111111', 500_000n)).not.toBe(stsToken('r-1', '1111111111111', 500_001n));
  });
});
