/** Rounds a duration is measured over; the median of seven shrugs off a garbage collection or a scheduling hiccup. */
const ROUNDS = 7;

/**
 * The median wall-clock time of `attempt`, in milliseconds, over ROUNDS runs one after another:
 * for comparing two paths that must cost alike (a known and an unknown account), with a loose
 * ratio, never against a fixed time.
 */
export async function medianDurationMs(attempt: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    const started = process.hrtime.bigint();
    await attempt();
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  return times.sort((a, b) => a - b)[Math.floor(ROUNDS / 2)] ?? 0;
}
