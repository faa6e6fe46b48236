export interface RequeryPolicy {
  /** The pause after the first attempt; it doubles per attempt after that. */
  readonly baseMs: number;
  /** No pause is longer than this, however many attempts came before. */
  readonly maxMs: number;
}

/** Past 16 doublings every allowed base is beyond every allowed maximum; stopping there keeps the power exact and small. */
const MAX_DOUBLINGS = 16;

/**
 * How long to wait before asking the provider about a bill again: the base doubled per earlier
 * attempt, capped at the maximum, then jittered to between half of that and all of it, so bills
 * that went pending together (a provider outage) do not all come back at once.
 * `random` returns a number in [0, 1), as Math.random does.
 */
export function requeryDelayMs(attempts: number, policy: RequeryPolicy, random: () => number): number {
  const ceilingMs = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(attempts - 1, MAX_DOUBLINGS));
  return Math.round(ceilingMs / 2 + random() * (ceilingMs / 2));
}
