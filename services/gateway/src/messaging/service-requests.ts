import { AUTH_PATTERNS, BILLING_PATTERNS, READINESS_PATTERNS, WALLET_PATTERNS } from '@bvs/contracts';

/** Every request-reply pattern the gateway may send; each gets a reply topic subscribed at start-up. */
export const GATEWAY_REQUEST_PATTERNS: readonly string[] = [
  ...Object.values(READINESS_PATTERNS),
  ...Object.values(AUTH_PATTERNS),
  ...Object.values(WALLET_PATTERNS),
  ...Object.values(BILLING_PATTERNS),
];
