/**
 * A bounded wait that can be cut short: by a NOTIFY (the outbox relay, billing's worker), by work
 * that finished, or by stop(). A wake with nobody waiting is remembered, so a signal that arrives
 * while work is running is not lost: the next wait returns at once.
 */
export class Wakeup {
  private pending = false;
  private readonly waiters = new Set<() => void>();

  wait(ms: number): Promise<void> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waiters.add(done);
    });
  }

  /** Forgets a wake nobody waited for: the work about to start covers whatever it signalled. */
  clear(): void {
    this.pending = false;
  }

  wake(): void {
    if (this.waiters.size === 0) {
      this.pending = true;
      return;
    }
    for (const done of [...this.waiters]) done();
  }
}

/**
 * Exponential backoff with equal jitter: half the step is fixed, half random, so a fleet of
 * consumers failing together does not retry in lockstep. `attempt` counts from 1.
 */
export function retryDelayMs(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const exponent = Math.min(Math.max(attempt - 1, 0), 30);
  const step = Math.min(maxMs, baseMs * 2 ** exponent);
  return Math.round(step / 2 + random() * (step / 2));
}
