import { randomInt } from 'node:crypto';
import { ConfigError } from '@bvs/platform';
import type { ProviderSimEnv } from '../config/provider-sim-env';
import { Behaviour, BehaviourFieldNames, behaviourProblems, MAX_SEED } from './domain/behaviour';

const ENV_NAMES: BehaviourFieldNames = {
  latencyMinMs: 'SIM_LATENCY_MIN_MS',
  latencyMaxMs: 'SIM_LATENCY_MAX_MS',
  failureRate: 'SIM_FAILURE_RATE',
  transientErrorRate: 'SIM_TRANSIENT_ERROR_RATE',
  timeoutRate: 'SIM_TIMEOUT_RATE',
  pendingRate: 'SIM_PENDING_RATE',
  timeoutDelayMs: 'SIM_TIMEOUT_DELAY_MS',
  timeoutMode: 'SIM_TIMEOUT_MODE',
  pendingResolveAfterMs: 'SIM_PENDING_RESOLVE_AFTER_MS',
  seed: 'SIM_SEED',
};

/** The start-up behaviour, refused (with every problem named) when its fields contradict each other. */
export function defaultBehaviour(env: ProviderSimEnv): Behaviour {
  const behaviour: Behaviour = {
    latencyMinMs: env.SIM_LATENCY_MIN_MS,
    latencyMaxMs: env.SIM_LATENCY_MAX_MS,
    failureRate: env.SIM_FAILURE_RATE,
    transientErrorRate: env.SIM_TRANSIENT_ERROR_RATE,
    timeoutRate: env.SIM_TIMEOUT_RATE,
    pendingRate: env.SIM_PENDING_RATE,
    timeoutDelayMs: env.SIM_TIMEOUT_DELAY_MS,
    timeoutMode: env.SIM_TIMEOUT_MODE,
    pendingResolveAfterMs: env.SIM_PENDING_RESOLVE_AFTER_MS,
    seed: env.SIM_SEED ?? randomInt(0, MAX_SEED + 1),
  };
  const problems = behaviourProblems(behaviour, ENV_NAMES);
  if (problems.length > 0) throw new ConfigError(problems);
  return behaviour;
}
