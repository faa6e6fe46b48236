import type { ProviderSimEnv } from '../config/provider-sim-env';

export const PROCESSOR_CONFIG = Symbol('PROCESSOR_CONFIG');

/** Each attempt at a webhook gets this long to answer; a slow receiver counts as a failed attempt. */
export const WEBHOOK_ATTEMPT_TIMEOUT_MS = 5_000;
/** The longest pause between two delivery attempts, however many attempts are configured. */
export const MAX_WEBHOOK_RETRY_DELAY_MS = 60_000;
/**
 * Webhooks accepted and not yet finished (sending, waiting for a free request slot, or pausing
 * before a retry). Past it a new webhook is dropped with an error log rather than queued: the
 * memory stays bounded when the receiver is down (a body is under 1 KB plus its metadata, at most
 * MAX_METADATA_BYTES), and the merchant's verify still finds the charge.
 */
export const MAX_WEBHOOK_BACKLOG = 10_000;

/** The processor's settings, read once from the environment. */
export interface ProcessorConfig {
  readonly secretKey: string;
  readonly webhookUrl: string | null;
  /** Without a trailing slash. Null: the base URL the initialize request itself reached. */
  readonly checkoutBaseUrl: string | null;
  readonly autoPayByDefault: boolean;
  readonly chargeTtlMs: number;
  readonly webhookAttempts: number;
  readonly webhookFirstRetryMs: number;
  readonly webhooksInFlight: number;
}

/** Null when PROCESSOR_SECRET_KEY is unset: then the processor is not registered at all. */
export function processorConfig(env: ProviderSimEnv): ProcessorConfig | null {
  if (env.PROCESSOR_SECRET_KEY === undefined) return null;
  return {
    secretKey: env.PROCESSOR_SECRET_KEY,
    webhookUrl: env.PROCESSOR_WEBHOOK_URL ?? null,
    checkoutBaseUrl: env.PROCESSOR_CHECKOUT_BASE_URL?.replace(/\/+$/, '') ?? null,
    autoPayByDefault: env.PROCESSOR_AUTO_PAY,
    chargeTtlMs: env.PROCESSOR_CHARGE_TTL_MS,
    webhookAttempts: env.PROCESSOR_WEBHOOK_ATTEMPTS,
    webhookFirstRetryMs: env.PROCESSOR_WEBHOOK_RETRY_MS,
    webhooksInFlight: env.PROCESSOR_WEBHOOKS_IN_FLIGHT,
  };
}
