import type { Behaviour } from './behaviour';

/** What the simulator will do with a vend request it accepts, before looking at the request's merits. */
export type VendPlan =
  | { readonly kind: 'SUCCEED'; readonly withholdResponse: boolean }
  | { readonly kind: 'DECLINE' }
  | { readonly kind: 'PEND'; readonly resolvesTo: 'SUCCESS' | 'FAILED' };

export type DrawnVendPlan = VendPlan | { readonly kind: 'TRANSIENT_ERROR' };

/**
 * Maps one draw in [0, 1) onto the rates laid end to end: transient error, decline, pending,
 * timeout, then success for the rest. Pending vends take a second draw for their final outcome
 * (declined with `failureRate`), only when needed, so the sequence stays reproducible.
 */
export function planFromDraws(behaviour: Behaviour, draw: () => number): DrawnVendPlan {
  const first = draw();
  let edge = behaviour.transientErrorRate;
  if (first < edge) return { kind: 'TRANSIENT_ERROR' };
  edge += behaviour.failureRate;
  if (first < edge) return { kind: 'DECLINE' };
  edge += behaviour.pendingRate;
  if (first < edge) return { kind: 'PEND', resolvesTo: draw() < behaviour.failureRate ? 'FAILED' : 'SUCCESS' };
  edge += behaviour.timeoutRate;
  return { kind: 'SUCCEED', withholdResponse: first < edge };
}
