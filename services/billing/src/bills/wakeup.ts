/**
 * A bounded wait that can be cut short: by a bill's NOTIFY, a step that finished, or a stop. A wake
 * with nobody waiting is remembered, so a signal that arrives while the worker is busy claiming is
 * not lost: the next wait returns at once. (The platform's outbox relay has the same one; it is not
 * exported from the platform lib.)
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

  wake(): void {
    if (this.waiters.size === 0) {
      this.pending = true;
      return;
    }
    for (const done of [...this.waiters]) done();
  }
}
