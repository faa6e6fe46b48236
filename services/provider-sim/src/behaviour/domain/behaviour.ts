export const TIMEOUT_MODES = ['HOLD', 'DROP'] as const;
/** HOLD answers only after `timeoutDelayMs`; DROP closes the connection without answering. */
export type TimeoutMode = (typeof TIMEOUT_MODES)[number];

/** Ten minutes: any longer and a held request outlives every client and load balancer anyway. */
export const MAX_DELAY_MS = 600_000;
export const MAX_SEED = 0xffff_ffff;

/**
 * How the simulator misbehaves for ordinary (non-sandbox) meters. The four rates share one draw
 * per vend, so together they may not exceed 1; whatever is left over vends successfully.
 */
export interface Behaviour {
  readonly latencyMinMs: number;
  readonly latencyMaxMs: number;
  /** Vends declined definitively (status FAILED, VEND.DECLINED): nothing delivered. */
  readonly failureRate: number;
  /** HTTP 503 before anything is recorded. */
  readonly transientErrorRate: number;
  /** Vend succeeds and is recorded, but the answer is held back or the connection dropped. */
  readonly timeoutRate: number;
  /** Vend answered PENDING; requery shows the final state after `pendingResolveAfterMs`. */
  readonly pendingRate: number;
  readonly timeoutDelayMs: number;
  readonly timeoutMode: TimeoutMode;
  readonly pendingResolveAfterMs: number;
  readonly seed: number;
}

export type BehaviourFieldNames = Readonly<Record<keyof Behaviour, string>>;

const FIELD_NAMES: BehaviourFieldNames = {
  latencyMinMs: 'latencyMinMs',
  latencyMaxMs: 'latencyMaxMs',
  failureRate: 'failureRate',
  transientErrorRate: 'transientErrorRate',
  timeoutRate: 'timeoutRate',
  pendingRate: 'pendingRate',
  timeoutDelayMs: 'timeoutDelayMs',
  timeoutMode: 'timeoutMode',
  pendingResolveAfterMs: 'pendingResolveAfterMs',
  seed: 'seed',
};

/**
 * Rules that span fields, which per-field validation cannot see. Empty when the behaviour is
 * usable. `names` lets start-up name the environment variables instead of the JSON fields.
 */
export function behaviourProblems(behaviour: Behaviour, names: BehaviourFieldNames = FIELD_NAMES): string[] {
  const problems: string[] = [];
  if (behaviour.latencyMinMs > behaviour.latencyMaxMs) {
    problems.push(`${names.latencyMinMs} (${behaviour.latencyMinMs}) must not exceed ${names.latencyMaxMs} (${behaviour.latencyMaxMs})`);
  }
  const total = behaviour.failureRate + behaviour.transientErrorRate + behaviour.timeoutRate + behaviour.pendingRate;
  // A small tolerance so that rates such as 0.7 + 0.2 + 0.1 are not refused for binary rounding.
  if (total > 1 + 1e-9) {
    const rates = [names.failureRate, names.transientErrorRate, names.timeoutRate, names.pendingRate].join(' + ');
    problems.push(`${rates} must not exceed 1 (is ${total})`);
  }
  return problems;
}
