import type { ComponentStatus } from '@bvs/contracts';

/** One dependency a service needs to do its work. `probe` resolves when healthy, rejects otherwise. */
export interface ReadinessCheck {
  readonly component: string;
  probe(): Promise<void>;
}

export const READINESS_CHECKS = Symbol('READINESS_CHECKS');

/** Each probe gets this long: a readiness endpoint that hangs is worse than one that says down. */
export const PROBE_TIMEOUT_MS = 2_000;

export async function runProbe(check: ReadinessCheck): Promise<ComponentStatus> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${check.component} probe timed out`)), PROBE_TIMEOUT_MS);
  });
  try {
    await Promise.race([check.probe(), deadline]);
    return 'up';
  } catch {
    return 'down';
  } finally {
    clearTimeout(timer);
  }
}
