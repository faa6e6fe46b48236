import { MetricsRegistry, ServiceError } from '@bvs/platform';
import type { AuthEnv } from '../src/config/auth-env';
import { PasswordHashing } from '../src/sessions/password-hashing';

const PASSWORD = 'orange-Kettle-42!';
/** The cheapest cost auth accepts: the bound is what is tested here, not bcrypt. */
const hashingWithRoomFor = (inFlight: number) =>
  new PasswordHashing({ BCRYPT_COST: 10, MAX_PASSWORD_CHECKS_IN_FLIGHT: inFlight } as AuthEnv, new MetricsRegistry());

const outcomeOf = (attempt: Promise<unknown>) =>
  attempt.then(
    (value) => ({ value }),
    (error: unknown) => (error instanceof ServiceError ? { refused: error.code, status: error.status } : { error }),
  );

describe('password checks in flight', () => {
  it('given room for two, when three arrive together, then the third is refused with 503 at once and the two complete', async () => {
    const hashing = hashingWithRoomFor(2);
    const stored = await hashing.hash(PASSWORD);
    const outcomes = await Promise.all([hashing.verify(PASSWORD, stored), hashing.verify('wrong-Kettle-42!', stored), hashing.verify(PASSWORD, stored)].map(outcomeOf));
    expect(outcomes).toEqual([{ value: true }, { value: false }, { refused: 'SERVICE.UNAVAILABLE', status: 503 }]);
  });

  it('given a refusal, when the checks in flight have finished, then the next one runs', async () => {
    const hashing = hashingWithRoomFor(1);
    const stored = await hashing.hash(PASSWORD);
    const [first, second] = await Promise.all([hashing.verify(PASSWORD, stored), hashing.verify(PASSWORD, stored)].map(outcomeOf));
    expect([first, second]).toEqual([{ value: true }, { refused: 'SERVICE.UNAVAILABLE', status: 503 }]);
    expect(await hashing.verify(PASSWORD, stored)).toBe(true);
  });

  it('given an unknown account, when checked, then it counts against the bound like any other and is false', async () => {
    const hashing = hashingWithRoomFor(1);
    const [unknown, refused] = await Promise.all([hashing.verify(PASSWORD, undefined), hashing.hash(PASSWORD)].map(outcomeOf));
    expect([unknown, refused]).toEqual([{ value: false }, { refused: 'SERVICE.UNAVAILABLE', status: 503 }]);
  });
});
