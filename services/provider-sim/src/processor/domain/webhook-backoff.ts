/**
 * The pause before the next delivery attempt after `failedAttempts` failures (1 or more): the
 * first delay, doubled for each further failure, never longer than `maxDelayMs` so a long series
 * of attempts still retries at a useful pace.
 */
export function webhookRetryDelayMs(failedAttempts: number, firstDelayMs: number, maxDelayMs: number): number {
  if (!Number.isInteger(failedAttempts) || failedAttempts < 1) throw new RangeError(`failedAttempts must be a positive integer, not ${failedAttempts}`);
  // Capping the exponent first keeps 2 ** n finite however many attempts are configured.
  const doublings = Math.min(failedAttempts - 1, 52);
  return Math.min(firstDelayMs * 2 ** doublings, maxDelayMs);
}
