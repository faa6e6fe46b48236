/** What a periodic task reports a failed round to. */
export interface PeriodicTaskLogger {
  warn(fields: object, message: string): void;
}

/**
 * Runs `round` every `intervalMs`, one round at a time (the next is scheduled only once the last
 * has finished, so a slow round never overlaps itself), until stopped. A round that throws is
 * logged and the next one runs as usual. `stop()` waits for a round in progress. The timer does
 * not keep the process alive.
 */
export class PeriodicTask {
  private timer: NodeJS.Timeout | undefined;
  private current: Promise<unknown> = Promise.resolve();
  private running = false;
  private stopRequested = false;

  constructor(
    private readonly intervalMs: number,
    private readonly round: () => Promise<unknown>,
    private readonly logger: PeriodicTaskLogger,
    /** Said with a failed round, e.g. 'A retention round failed; the next one tries again'. */
    private readonly failure: string,
  ) {}

  /** True once stop() was called: a long round checks it between its steps. */
  get stopping(): boolean {
    return this.stopRequested;
  }

  start(): void {
    this.running = true;
    this.stopRequested = false;
    this.schedule();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.stopRequested = true;
    clearTimeout(this.timer);
    await this.current;
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      this.current = this.round()
        .catch((error: unknown) => this.logger.warn({ err: error }, this.failure))
        .finally(() => {
          if (this.running) this.schedule();
        });
    }, this.intervalMs);
    this.timer.unref();
  }
}
