/**
 * A value read from somewhere costly (a COUNT over a table), refreshed at most once per `maxAgeMs`
 * however often it is asked for, with one read in flight at a time. Until the first read is done a
 * caller waits for it; after that callers get the last value at once, and a stale one starts a
 * refresh in the background. A failed read keeps the last value (and the next call tries again).
 */
export class RefreshingReading<T> {
  private value: { readonly at: number; readonly data: T } | undefined;
  private inFlight: Promise<void> | undefined;

  constructor(
    private readonly read: () => Promise<T>,
    private readonly maxAgeMs: number,
    private readonly now: () => number = Date.now,
  ) {
    if (!Number.isInteger(maxAgeMs) || maxAgeMs <= 0) throw new RangeError(`maxAgeMs must be a positive integer, got ${maxAgeMs}`);
  }

  /** The last value read, or undefined if no read has succeeded yet. */
  async get(): Promise<T | undefined> {
    const stale = this.value === undefined || this.now() - this.value.at >= this.maxAgeMs;
    if (stale) {
      const refresh = this.refresh();
      if (this.value === undefined) await refresh;
    }
    return this.value?.data;
  }

  private refresh(): Promise<void> {
    this.inFlight ??= this.read()
      .then((data) => {
        this.value = { at: this.now(), data };
      })
      .catch(() => undefined)
      .finally(() => {
        this.inFlight = undefined;
      });
    return this.inFlight;
  }
}
