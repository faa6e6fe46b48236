import { retryDelayMs } from '../messaging/wakeup';

/** Something a service cannot work without (PostgreSQL, Kafka, the schema registry). */
export interface StartupDependency {
  /** Short and stable: it appears in readiness reports and in the start-up failure. */
  readonly name: string;
  /** Resolves once the dependency answers and is usable; rejects with the reason otherwise. */
  check(): Promise<void>;
}

export interface DependencyWaitPolicy {
  /** How long the service may wait for all of them together before it gives up and exits. */
  readonly deadlineMs: number;
  /** First pause after a failed check; doubles per attempt with jitter up to `maxDelayMs`. */
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  /** A check that hangs counts as failed after this long, so a silent dependency cannot eat the deadline. */
  readonly attemptTimeoutMs: number;
}

export const DEFAULT_DEPENDENCY_WAIT_POLICY: Omit<DependencyWaitPolicy, 'deadlineMs'> = Object.freeze({
  initialDelayMs: 250,
  maxDelayMs: 5_000,
  attemptTimeoutMs: 10_000,
});

/** What start-up is waiting for right now; the start-up probe server reports it. */
export class StartupProgress {
  private readonly waiting = new Map<string, string>();

  get waitingFor(): ReadonlyMap<string, string> {
    return this.waiting;
  }

  markWaiting(dependency: string, reason: string): void {
    this.waiting.set(dependency, reason);
  }

  markReady(dependency: string): void {
    this.waiting.delete(dependency);
  }
}

export class DependencyUnavailableError extends Error {
  override readonly name = 'DependencyUnavailableError';

  constructor(
    readonly dependency: string,
    readonly waitedMs: number,
    readonly attempts: number,
    readonly lastError: unknown,
  ) {
    super(`${dependency} was still unavailable after ${waitedMs} ms and ${attempts} attempts: ${describe(lastError)}`);
  }
}

/** The clock and the pause, passed in so the retry schedule can be tested without waiting for it. */
export interface WaitClock {
  now(): number;
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  random(): number;
}

export const SYSTEM_CLOCK: WaitClock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      }
      signal.addEventListener('abort', done, { once: true });
    }),
  random: Math.random,
};

/**
 * Waits for every dependency at once, retrying each failed check with bounded exponential
 * backoff, until all answer or the deadline passes (overrun by at most one `attemptTimeoutMs`,
 * the last check's). Past the deadline it rejects with a
 * `DependencyUnavailableError` naming the dependency and its last error, so the process exits
 * with the cause rather than a stack from whichever client happened to time out first.
 */
export async function waitForDependencies(
  dependencies: readonly StartupDependency[],
  policy: DependencyWaitPolicy,
  progress: StartupProgress = new StartupProgress(),
  clock: WaitClock = SYSTEM_CLOCK,
): Promise<void> {
  const startedAt = clock.now();
  const deadline = startedAt + policy.deadlineMs;
  const stopOthers = new AbortController();
  for (const dependency of dependencies) progress.markWaiting(dependency.name, 'not checked yet');

  const waitForOne = async (dependency: StartupDependency): Promise<void> => {
    for (let attempt = 1; ; attempt += 1) {
      try {
        await withTimeout(dependency.check(), policy.attemptTimeoutMs, dependency.name);
        progress.markReady(dependency.name);
        return;
      } catch (error) {
        if (stopOthers.signal.aborted) return;
        const now = clock.now();
        if (now >= deadline) throw new DependencyUnavailableError(dependency.name, now - startedAt, attempt, error);
        progress.markWaiting(dependency.name, describe(error));
        // The last pause is cut short so one final check lands on the deadline itself.
        const delay = Math.min(retryDelayMs(attempt, policy.initialDelayMs, policy.maxDelayMs, clock.random), deadline - now);
        await clock.sleep(delay, stopOthers.signal);
        if (stopOthers.signal.aborted) return;
      }
    }
  };

  try {
    await Promise.all(dependencies.map(waitForOne));
  } finally {
    // One dependency past its deadline ends start-up: the others stop retrying instead of
    // keeping the process (or a test) alive.
    stopOthers.abort();
  }
}

function withTimeout(work: Promise<void>, timeoutMs: number, name: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${name} did not answer within ${timeoutMs} ms`)), timeoutMs);
  });
  // A check abandoned at its timeout may still fail later; that late failure means nothing now.
  work.catch(() => undefined);
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
