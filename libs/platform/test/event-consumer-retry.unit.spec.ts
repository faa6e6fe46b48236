import { QueryRunnerAlreadyReleasedError, QueryRunnerProviderAlreadyReleasedError } from 'typeorm';
import { isDatabaseUnavailable } from '../src/persistence/database-unavailable';
import { retryDelayMs, Wakeup } from '../src/messaging/wakeup';

describe('retryDelayMs (exponential backoff with equal jitter)', () => {
  it('doubles per attempt between half and all of the step', () => {
    expect(retryDelayMs(1, 200, 5_000, () => 0)).toBe(100);
    expect(retryDelayMs(1, 200, 5_000, () => 1)).toBe(200);
    expect(retryDelayMs(3, 200, 5_000, () => 0)).toBe(400);
    expect(retryDelayMs(3, 200, 5_000, () => 1)).toBe(800);
  });

  it('never exceeds the cap, however many attempts', () => {
    expect(retryDelayMs(10, 200, 5_000, () => 1)).toBe(5_000);
    expect(retryDelayMs(1_000, 200, 5_000, () => 1)).toBe(5_000);
  });
});

describe('Wakeup', () => {
  it('ends a wait early when woken', async () => {
    const wakeup = new Wakeup();
    const started = Date.now();
    const waiting = wakeup.wait(10_000);
    wakeup.wake();
    await waiting;
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('remembers a wake that came while nobody waited, once', async () => {
    const wakeup = new Wakeup();
    wakeup.wake();
    const started = Date.now();
    await wakeup.wait(10_000);
    expect(Date.now() - started).toBeLessThan(1_000);
    await wakeup.wait(20);
    expect(Date.now() - started).toBeGreaterThanOrEqual(15);
  });
});

describe('isDatabaseUnavailable', () => {
  it('recognises connection failures, from the driver or wrapped by TypeORM', () => {
    expect(isDatabaseUnavailable(Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isDatabaseUnavailable({ driverError: { code: '57P01' } })).toBe(true);
    expect(isDatabaseUnavailable({ driverError: { code: '08006' } })).toBe(true);
    expect(isDatabaseUnavailable(new Error('timeout exceeded when trying to connect'))).toBe(true);
    expect(isDatabaseUnavailable({ driverError: { code: '53300', message: 'sorry, too many clients already' } })).toBe(true);
    expect(isDatabaseUnavailable(new QueryRunnerAlreadyReleasedError())).toBe(true);
    expect(isDatabaseUnavailable(new QueryRunnerProviderAlreadyReleasedError())).toBe(true);
    expect(isDatabaseUnavailable({ driverError: { code: '55000', message: 'database "bvs_wallet" is not currently accepting connections' } })).toBe(true);
  });

  it('recognises the driver losing a connection in its own words, which carry no code', () => {
    expect(isDatabaseUnavailable(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isDatabaseUnavailable({ driverError: new Error('Connection terminated unexpectedly') })).toBe(true);
    expect(isDatabaseUnavailable(new Error('Connection terminated due to connection timeout'))).toBe(true);
    expect(isDatabaseUnavailable(new Error('Client has encountered a connection error and is not queryable'))).toBe(true);
    // A client the service closed itself (at shutdown) is not the database's failure.
    expect(isDatabaseUnavailable(new Error('Connection terminated'))).toBe(false);
  });

  it('leaves errors of the SQL or the data to the bounded retries', () => {
    expect(isDatabaseUnavailable({ driverError: { code: '23505' } })).toBe(false);
    expect(isDatabaseUnavailable({ driverError: { code: '55000', message: 'currval of sequence "s" is not yet defined in this session' } })).toBe(false);
    expect(isDatabaseUnavailable(new Error('handler refused'))).toBe(false);
  });
});
