export interface WorkerLimits {
  /** Bill steps one worker runs at once. */
  readonly stepsInFlight: number;
  /** Bills one claim statement may lease. */
  readonly claimBatchSize: number;
}

/**
 * How many due bills to claim now that `running` steps are in flight: never more than the free
 * slots, since a claimed bill holds its lease whether or not a step runs for it (a bill claimed
 * and left waiting would sit out its lease while other replicas could have vended it), and never
 * more than one batch, which bounds the rows one claim statement locks. Zero means: wait for a slot.
 */
export function claimSize(running: number, limits: WorkerLimits): number {
  return Math.max(0, Math.min(limits.stepsInFlight - running, limits.claimBatchSize));
}
