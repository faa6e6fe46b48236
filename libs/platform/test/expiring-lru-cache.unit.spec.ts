import { ExpiringLruCache } from '../src/caching/expiring-lru-cache';

describe('a bounded cache with expiry', () => {
  it('given a value stored until t=100, when read at t=99 and at t=100, then it is there before its expiry and gone from it', () => {
    const cache = new ExpiringLruCache<string, string>(10);
    cache.set('meter', 'Ada', 100);
    expect(cache.get('meter', 99)).toBe('Ada');
    expect(cache.get('meter', 100)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('given a full cache, when one more key is stored, then the least recently used goes and the size stays at the bound', () => {
    const cache = new ExpiringLruCache<string, number>(3);
    cache.set('a', 1, Infinity);
    cache.set('b', 2, Infinity);
    cache.set('c', 3, Infinity);
    expect(cache.get('a', 0)).toBe(1);
    cache.set('d', 4, Infinity);
    expect(cache.size).toBe(3);
    expect(cache.get('b', 0)).toBeUndefined();
    expect([cache.get('a', 0), cache.get('c', 0), cache.get('d', 0)]).toEqual([1, 3, 4]);
  });

  it('given a key stored again, when the cache is full, then the key is replaced rather than evicting another', () => {
    const cache = new ExpiringLruCache<string, number>(2);
    cache.set('a', 1, Infinity);
    cache.set('b', 2, Infinity);
    cache.set('a', 10, Infinity);
    expect([cache.get('a', 0), cache.get('b', 0)]).toEqual([10, 2]);
  });

  it('refuses a bound that is not a positive integer', () => {
    expect(() => new ExpiringLruCache(0)).toThrow(RangeError);
  });
});
