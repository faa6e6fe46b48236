import { requeryDelayMs, type RequeryPolicy } from '../src/bills/domain/requery-backoff';

const POLICY: RequeryPolicy = { baseMs: 1_000, maxMs: 60_000 };
const LOWEST = () => 0;
const HIGHEST = () => 0.999_999;

describe('requery backoff', () => {
  it('given successive attempts, then the wait doubles from the base', () => {
    expect([1, 2, 3, 4, 5].map((attempts) => requeryDelayMs(attempts, POLICY, LOWEST))).toEqual([500, 1_000, 2_000, 4_000, 8_000]);
    expect([1, 2, 3, 4, 5].map((attempts) => requeryDelayMs(attempts, POLICY, HIGHEST))).toEqual([1_000, 2_000, 4_000, 8_000, 16_000]);
  });

  it('given many attempts, then the wait stops growing at the maximum', () => {
    expect(requeryDelayMs(7, POLICY, HIGHEST)).toBe(60_000);
    expect(requeryDelayMs(7, POLICY, LOWEST)).toBe(30_000);
    for (const attempts of [8, 17, 18, 1_000, Number.MAX_SAFE_INTEGER]) {
      expect(requeryDelayMs(attempts, POLICY, HIGHEST)).toBe(60_000);
    }
  });

  it('given the largest settings allowed, then the wait is still a finite number within the maximum', () => {
    const widest: RequeryPolicy = { baseMs: 600_000, maxMs: 3_600_000 };
    expect(requeryDelayMs(Number.MAX_SAFE_INTEGER, widest, LOWEST)).toBe(1_800_000);
    const longest = requeryDelayMs(Number.MAX_SAFE_INTEGER, widest, HIGHEST);
    expect(Number.isFinite(longest)).toBe(true);
    expect(longest).toBeLessThanOrEqual(3_600_000);
  });

  it.each([
    [0, 2_000],
    [0.25, 2_500],
    [0.5, 3_000],
    [0.75, 3_500],
    [0.999_999, 4_000],
  ])('given the random source returns %d, then the wait is jittered to %d ms, between half and all of the ceiling', (random, expected) => {
    const delay = requeryDelayMs(3, POLICY, () => random);
    expect(delay).toBe(expected);
    expect(delay).toBeGreaterThanOrEqual(2_000);
    expect(delay).toBeLessThanOrEqual(4_000);
  });
});
