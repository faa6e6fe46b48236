/**
 * At most `limit` pieces of work at once; the rest wait in arrival order. A finishing piece hands
 * its slot straight to the oldest waiter, so a slot is never free while someone waits. The wait
 * itself is bounded by the caller (see MAX_WEBHOOK_BACKLOG), not here.
 */
export class RequestSlots {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit must be a positive integer, not ${limit}`);
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await work();
    } finally {
      this.release();
    }
  }

  /** Requests being made right now, and pieces waiting for a slot: for logs and tests. */
  get load(): { readonly active: number; readonly waiting: number } {
    return { active: this.active, waiting: this.waiting.length };
  }

  private acquire(): Promise<void> {
    if (this.active < this.limit) {
      this.active += 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    // Handing the slot over leaves `active` as it is: the waiter now holds this one.
    if (next) next();
    else this.active -= 1;
  }
}
