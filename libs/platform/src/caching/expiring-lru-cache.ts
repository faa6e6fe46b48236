interface Entry<V> {
  readonly value: V;
  readonly expiresAtMs: number;
}

/**
 * A map with a hard bound on its size and an expiry per entry: past `maxEntries`, the least
 * recently used entry goes first, and an expired entry is never returned. For caches fed by
 * callers (tokens, meter numbers), whose keys an attacker can make up by the million.
 */
export class ExpiringLruCache<K, V> {
  private readonly entries = new Map<K, Entry<V>>();

  constructor(private readonly maxEntries: number) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new RangeError(`maxEntries must be a positive integer, got ${maxEntries}`);
  }

  /** The value, unless absent or expired at `nowMs`; a hit becomes the most recently used. */
  get(key: K, nowMs: number = Date.now()): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    if (nowMs >= entry.expiresAtMs) return undefined;
    // Back at the young end of the map's insertion order: the least recently used go first.
    this.entries.set(key, entry);
    return entry.value;
  }

  set(key: K, value: V, expiresAtMs: number): void {
    this.entries.delete(key);
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(key, { value, expiresAtMs });
  }

  get size(): number {
    return this.entries.size;
  }
}
