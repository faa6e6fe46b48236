import { SetMetadata } from '@nestjs/common';

/**
 * What a route's requests are counted as. Address policies count per client address (routes a
 * stranger can call); user policies count per signed-in user (the calls that move money or hit the
 * provider), so one noisy user cannot crowd out another behind the same address. The JWT guard
 * counts user policies with its session check, so they belong on routes that need a token only.
 */
export const ADDRESS_POLICIES = ['register', 'login', 'refresh', 'services-health'] as const;
export const USER_POLICIES = ['fund', 'pay', 'validate-meter'] as const;
export type RateLimitPolicy = (typeof ADDRESS_POLICIES)[number] | (typeof USER_POLICIES)[number];

export const RATE_LIMIT_POLICY = 'bvs:rate-limit-policy';

/** Counts the route's requests under `policy`; past its limit the caller gets 429 with Retry-After. */
export const RateLimited = (policy: RateLimitPolicy) => SetMetadata(RATE_LIMIT_POLICY, policy);

export function isUserPolicy(policy: RateLimitPolicy): policy is (typeof USER_POLICIES)[number] {
  return (USER_POLICIES as readonly string[]).includes(policy);
}
