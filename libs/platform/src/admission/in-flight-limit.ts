/**
 * At most `limit` pieces of work at once; past it the caller refuses new work at once (a 503 the
 * client retries) instead of queueing it. In front of a saturated resource a queue only grows
 * until every answer comes after its caller gave up (docs/benchmarks.md, the runs that fell over
 * at 200/s offered), while a refusal costs a fraction of the work.
 */
export class InFlightLimit {
  private current = 0;

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit must be a positive integer, got ${limit}`);
  }

  get inFlight(): number {
    return this.current;
  }

  /** True when the work may start; it must then be released exactly once, however it ends. */
  tryAcquire(): boolean {
    if (this.current >= this.limit) return false;
    this.current += 1;
    return true;
  }

  release(): void {
    // A second release would let one more in than the limit for the rest of the process's life.
    if (this.current === 0) throw new Error('InFlightLimit released more often than acquired');
    this.current -= 1;
  }
}
