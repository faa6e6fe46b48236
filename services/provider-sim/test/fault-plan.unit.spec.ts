import { Behaviour, behaviourProblems } from '../src/behaviour/domain/behaviour';
import { SeededRandom } from '../src/behaviour/domain/seeded-random';
import { planFromDraws } from '../src/behaviour/domain/vend-plan';

const CALM: Behaviour = {
  latencyMinMs: 0,
  latencyMaxMs: 0,
  failureRate: 0,
  transientErrorRate: 0,
  timeoutRate: 0,
  pendingRate: 0,
  timeoutDelayMs: 1_000,
  timeoutMode: 'HOLD',
  pendingResolveAfterMs: 1_000,
  seed: 1,
};

function fixed(...draws: number[]): () => number {
  return () => {
    const next = draws.shift();
    if (next === undefined) throw new Error('no draw left');
    return next;
  };
}

describe('SeededRandom (mulberry32)', () => {
  it('repeats its sequence for the same seed and differs for another', () => {
    const sequence = (seed: number) => {
      const random = new SeededRandom(seed);
      return Array.from({ length: 20 }, () => random.next());
    };
    expect(sequence(42)).toEqual(sequence(42));
    expect(sequence(42)).not.toEqual(sequence(43));
  });

  it('stays within [0, 1) and within the bounds asked for', () => {
    const random = new SeededRandom(7);
    for (let index = 0; index < 10_000; index += 1) {
      const value = random.next();
      expect(value).toBeGreaterThanOrEqual(0);
      expect(value).toBeLessThan(1);
      const between = random.between(5, 9);
      expect(between).toBeGreaterThanOrEqual(5);
      expect(between).toBeLessThanOrEqual(9);
    }
  });
});

describe('planFromDraws', () => {
  const mixed: Behaviour = { ...CALM, transientErrorRate: 0.1, failureRate: 0.2, pendingRate: 0.3, timeoutRate: 0.1 };

  it('lays the rates end to end over one draw', () => {
    expect(planFromDraws(mixed, fixed(0.05))).toEqual({ kind: 'TRANSIENT_ERROR' });
    expect(planFromDraws(mixed, fixed(0.15))).toEqual({ kind: 'DECLINE' });
    expect(planFromDraws(mixed, fixed(0.35, 0.9))).toEqual({ kind: 'PEND', resolvesTo: 'SUCCESS' });
    expect(planFromDraws(mixed, fixed(0.35, 0.1))).toEqual({ kind: 'PEND', resolvesTo: 'FAILED' });
    expect(planFromDraws(mixed, fixed(0.65))).toEqual({ kind: 'SUCCEED', withholdResponse: true });
    expect(planFromDraws(mixed, fixed(0.75))).toEqual({ kind: 'SUCCEED', withholdResponse: false });
  });

  it('never fires a rate of 0 and always fires a rate of 1', () => {
    expect(planFromDraws(CALM, fixed(0))).toEqual({ kind: 'SUCCEED', withholdResponse: false });
    expect(planFromDraws({ ...CALM, failureRate: 1 }, fixed(0.999_999))).toEqual({ kind: 'DECLINE' });
    expect(planFromDraws({ ...CALM, transientErrorRate: 1 }, fixed(0.999_999))).toEqual({ kind: 'TRANSIENT_ERROR' });
  });
});

describe('behaviourProblems', () => {
  it('accepts rates that add up to 1 and refuses more', () => {
    expect(behaviourProblems({ ...CALM, failureRate: 0.7, pendingRate: 0.2, timeoutRate: 0.1 })).toEqual([]);
    expect(behaviourProblems({ ...CALM, failureRate: 0.7, pendingRate: 0.4 })).toHaveLength(1);
  });

  it('refuses a minimum latency above the maximum', () => {
    expect(behaviourProblems({ ...CALM, latencyMinMs: 10, latencyMaxMs: 5 })).toHaveLength(1);
  });
});
