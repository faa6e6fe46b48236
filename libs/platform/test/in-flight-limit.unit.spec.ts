import { InFlightLimit } from '../src/admission/in-flight-limit';

describe('a bound on the work in flight', () => {
  it('given a limit of two, when three ask, then two are admitted and the third is refused', () => {
    const limit = new InFlightLimit(2);
    expect([limit.tryAcquire(), limit.tryAcquire(), limit.tryAcquire()]).toEqual([true, true, false]);
    expect(limit.inFlight).toBe(2);
  });

  it('given a full limit, when one piece of work is released, then exactly one more is admitted', () => {
    const limit = new InFlightLimit(1);
    limit.tryAcquire();
    limit.release();
    expect([limit.tryAcquire(), limit.tryAcquire()]).toEqual([true, false]);
  });

  it('given nothing in flight, when released, then it throws rather than let one more in than the limit', () => {
    const limit = new InFlightLimit(1);
    expect(() => limit.release()).toThrow('released more often than acquired');
    expect([limit.tryAcquire(), limit.tryAcquire()]).toEqual([true, false]);
  });

  it.each([0, -1, 1.5, Number.NaN])('given a limit of %p, when made, then it is refused', (value) => {
    expect(() => new InFlightLimit(value)).toThrow(RangeError);
  });
});
