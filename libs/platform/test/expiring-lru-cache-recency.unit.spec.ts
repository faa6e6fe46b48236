import { ExpiringLruCache } from '../src/caching/expiring-lru-cache';

/**
 * What expiring-lru-cache.unit.spec.ts leaves out: how storing, missing and expiring move an entry
 * in the eviction order, per-entry expiry, and the bound held against keys made up by the thousand.
 */
describe('a bounded cache with expiry: recency and the bound', () => {
  it('given a full cache, when a key already in it is stored again, then it becomes the most recently used and the other goes first', () => {
    const cache = new ExpiringLruCache<string, number>(2);
    cache.set('a', 1, Infinity);
    cache.set('b', 2, Infinity);
    cache.set('a', 10, Infinity);

    cache.set('c', 3, Infinity);

    expect([cache.get('a', 0), cache.get('b', 0), cache.get('c', 0)]).toEqual([10, undefined, 3]);
  });

  it('given a full cache, when a key that is not in it is read, then nothing moves and the oldest still goes first', () => {
    const cache = new ExpiringLruCache<string, number>(2);
    cache.set('a', 1, Infinity);
    cache.set('b', 2, Infinity);
    expect(cache.get('missing', 0)).toBeUndefined();

    cache.set('c', 3, Infinity);

    expect([cache.get('a', 0), cache.get('b', 0), cache.get('c', 0)]).toEqual([undefined, 2, 3]);
  });

  it('given a full cache with an expired entry, when the expired entry is read, then its slot is freed and the next key evicts no live entry', () => {
    const cache = new ExpiringLruCache<string, number>(2);
    cache.set('live', 1, 1_000);
    cache.set('stale', 2, 10);
    expect(cache.get('stale', 10)).toBeUndefined();
    expect(cache.size).toBe(1);

    cache.set('new', 3, 1_000);

    expect([cache.get('live', 10), cache.get('new', 10)]).toEqual([1, 3]);
  });

  it('given entries with different expiries, when time passes, then each expires at its own time', () => {
    const cache = new ExpiringLruCache<string, string>(10);
    cache.set('short', 's', 50);
    cache.set('long', 'l', 500);

    expect([cache.get('short', 49), cache.get('long', 49)]).toEqual(['s', 'l']);
    expect([cache.get('short', 50), cache.get('long', 50)]).toEqual([undefined, 'l']);
    expect(cache.get('long', 500)).toBeUndefined();
  });

  it('given an expired key, when it is stored again with a later expiry, then the new value is returned', () => {
    const cache = new ExpiringLruCache<string, string>(10);
    cache.set('meter', 'old', 10);
    cache.set('meter', 'new', 100);

    expect(cache.get('meter', 50)).toBe('new');
  });

  it('given a bound of 1, when keys are stored one after another, then only the last is kept', () => {
    const cache = new ExpiringLruCache<string, number>(1);
    cache.set('a', 1, Infinity);
    cache.set('b', 2, Infinity);

    expect([cache.get('a', 0), cache.get('b', 0), cache.size]).toEqual([undefined, 2, 1]);
  });

  it('given 10 000 made-up keys and a bound of 100, when all are stored, then the size never passes the bound and exactly the newest 100 remain', () => {
    const cache = new ExpiringLruCache<string, number>(100);
    let largest = 0;
    for (let index = 0; index < 10_000; index += 1) {
      cache.set(`key-${index}`, index, Infinity);
      largest = Math.max(largest, cache.size);
    }

    expect(largest).toBe(100);
    expect(cache.get('key-9899', 0)).toBeUndefined();
    const newest = Array.from({ length: 100 }, (_, offset) => cache.get(`key-${9_900 + offset}`, 0));
    expect(newest).toEqual(Array.from({ length: 100 }, (_, offset) => 9_900 + offset));
  });

  it.each([1.5, -1, Number.NaN, Infinity])('refuses a bound of %s', (bound) => {
    expect(() => new ExpiringLruCache(bound)).toThrow(RangeError);
  });
});
