import { RefreshingReading } from '../src/metrics/refreshing-reading';

/** A read the test finishes by hand, counting how often it was started. */
function controlledRead() {
  const pending: { resolve: (value: number) => void; reject: (error: Error) => void }[] = [];
  let started = 0;
  const read = () =>
    new Promise<number>((resolve, reject) => {
      started += 1;
      pending.push({ resolve, reject });
    });
  return {
    read,
    started: () => started,
    finish: (value: number) => pending.shift()?.resolve(value),
    fail: () => pending.shift()?.reject(new Error('database away')),
  };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

/** A reading whose first read has returned `value`, with a clock the test moves. */
async function readingHolding(value: number, maxAgeMs: number) {
  const clock = { now: 0 };
  const source = controlledRead();
  const reading = new RefreshingReading(source.read, maxAgeMs, () => clock.now);
  const first = reading.get();
  source.finish(value);
  await first;
  return { reading, source, clock };
}

describe('RefreshingReading', () => {
  it('given no value yet, when asked twice at once, then both wait for one read', async () => {
    const source = controlledRead();
    const reading = new RefreshingReading(source.read, 15_000, () => 0);
    const first = reading.get();
    const second = reading.get();
    source.finish(7);
    expect(await Promise.all([first, second])).toEqual([7, 7]);
    expect(source.started()).toBe(1);
  });

  it('given a fresh value, when asked again and again, then it reads nothing more', async () => {
    const { reading, source, clock } = await readingHolding(3, 15_000);
    clock.now = 14_999;
    for (let scrape = 0; scrape < 10; scrape += 1) expect(await reading.get()).toBe(3);
    expect(source.started()).toBe(1);
  });

  it('given a stale value, when asked, then it answers the old value at once and refreshes once in the background', async () => {
    const { reading, source, clock } = await readingHolding(3, 15_000);
    clock.now = 15_000;
    expect(await reading.get()).toBe(3);
    expect(await reading.get()).toBe(3);
    expect(source.started()).toBe(2);
    source.finish(4);
    await flush();
    expect(await reading.get()).toBe(4);
  });

  it('given a read that fails, when asked, then it keeps the last value and tries again next time', async () => {
    const { reading, source, clock } = await readingHolding(5, 1_000);
    clock.now = 2_000;
    expect(await reading.get()).toBe(5);
    source.fail();
    await flush();
    expect(await reading.get()).toBe(5);
    expect(source.started()).toBe(3);
  });

  it('given the first read fails, when asked, then it answers undefined rather than throw', async () => {
    const source = controlledRead();
    const reading = new RefreshingReading(source.read, 1_000, () => 0);
    const first = reading.get();
    source.fail();
    expect(await first).toBeUndefined();
  });
});
