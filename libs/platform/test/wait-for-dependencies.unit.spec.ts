import { DependencyUnavailableError, StartupDependency, StartupProgress, waitForDependencies, WaitClock } from '../src/startup';

/** A clock that jumps instead of waiting, and records every pause it was asked for. */
class FakeClock implements WaitClock {
  private nowMs = 0;
  readonly pauses: number[] = [];

  now(): number {
    return this.nowMs;
  }

  async sleep(ms: number): Promise<void> {
    this.pauses.push(ms);
    this.nowMs += ms;
  }

  /** No jitter: every pause is the upper bound of its step. */
  random(): number {
    return 1;
  }
}

const POLICY = { deadlineMs: 60_000, initialDelayMs: 250, maxDelayMs: 5_000, attemptTimeoutMs: 10_000 };

/** Fails its first `failures` checks, then answers. */
function dependency(name: string, failures: number): StartupDependency & { checks: number } {
  const state = {
    name,
    checks: 0,
    async check() {
      state.checks += 1;
      if (state.checks <= failures) throw new Error(`${name} refused the connection`);
    },
  };
  return state;
}

describe('waiting for dependencies at start-up', () => {
  it('given a dependency that answers at once, when start-up waits, then it checks once and never pauses', async () => {
    const clock = new FakeClock();
    const registry = dependency('schema-registry', 0);

    await waitForDependencies([registry], POLICY, new StartupProgress(), clock);

    expect(registry.checks).toBe(1);
    expect(clock.pauses).toEqual([]);
  });

  it('given a dependency that comes up late, when start-up waits, then it backs off exponentially up to the cap', async () => {
    const clock = new FakeClock();
    const registry = dependency('schema-registry', 7);

    await waitForDependencies([registry], POLICY, new StartupProgress(), clock);

    expect(registry.checks).toBe(8);
    expect(clock.pauses).toEqual([250, 500, 1_000, 2_000, 4_000, 5_000, 5_000]);
  });

  it('given a dependency that never comes up, when the deadline passes, then start-up fails naming it and its last error', async () => {
    const clock = new FakeClock();
    const registry = dependency('schema-registry', Number.POSITIVE_INFINITY);

    const waiting = waitForDependencies([registry], POLICY, new StartupProgress(), clock);

    await expect(waiting).rejects.toThrow(DependencyUnavailableError);
    await expect(waiting).rejects.toThrow(/^schema-registry was still unavailable after 60000 ms and \d+ attempts: Error: schema-registry refused the connection$/);
    expect(clock.now()).toBe(POLICY.deadlineMs);
    const total = clock.pauses.reduce((sum, pause) => sum + pause, 0);
    expect(total).toBe(POLICY.deadlineMs);
    expect(Math.max(...clock.pauses)).toBeLessThanOrEqual(POLICY.maxDelayMs);
  });

  it('given a check that hangs, when its attempt times out, then it counts as a failed attempt', async () => {
    jest.useFakeTimers();
    try {
      let checks = 0;
      const silent: StartupDependency = {
        name: 'kafka',
        check: () => {
          checks += 1;
          return checks === 1 ? new Promise<void>(() => undefined) : Promise.resolve();
        },
      };
      const clock: WaitClock = { now: () => 0, sleep: async () => undefined, random: () => 1 };

      const waiting = waitForDependencies([silent], POLICY, new StartupProgress(), clock);
      await jest.advanceTimersByTimeAsync(POLICY.attemptTimeoutMs);
      await waiting;

      expect(checks).toBe(2);
    } finally {
      jest.useRealTimers();
    }
  });

  it('given several dependencies, when start-up waits, then progress names only those still missing, with their reasons', async () => {
    const clock = new FakeClock();
    const progress = new StartupProgress();
    const seen: Array<Record<string, string>> = [];
    const database = dependency('postgresql', 0);
    const registry: StartupDependency = {
      name: 'schema-registry',
      check: async () => {
        seen.push(Object.fromEntries(progress.waitingFor));
        if (seen.length < 3) throw new Error('Timeout (5000ms)');
      },
    };

    await waitForDependencies([database, registry], POLICY, progress, clock);

    expect(seen[0]).toEqual({ postgresql: 'not checked yet', 'schema-registry': 'not checked yet' });
    expect(seen[1]).toEqual({ 'schema-registry': 'Error: Timeout (5000ms)' });
    expect(progress.waitingFor.size).toBe(0);
  });

  it('given one dependency past its deadline, when start-up fails, then the others stop retrying', async () => {
    const clock = new FakeClock();
    const broken: StartupDependency = { name: 'postgresql', check: () => Promise.reject(new Error('no such database')) };
    const slow = dependency('kafka', Number.POSITIVE_INFINITY);

    await expect(waitForDependencies([broken, slow], { ...POLICY, deadlineMs: 1_000 }, new StartupProgress(), clock)).rejects.toThrow(/^(postgresql|kafka) was still unavailable/);
    const checksAtFailure = slow.checks;
    await new Promise((resolve) => setImmediate(resolve));

    expect(slow.checks).toBe(checksAtFailure);
  });
});
