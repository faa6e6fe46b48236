/**
 * Request-reply topics every service answers so the gateway can report the whole system's
 * readiness (`GET /api/health/services`) without reaching into any service's internals.
 */
export const READINESS_PATTERNS = {
  auth: 'auth.check-readiness.v1',
  wallet: 'wallet.check-readiness.v1',
  billing: 'billing.check-readiness.v1',
} as const;

export type ReportingService = keyof typeof READINESS_PATTERNS;

export type ComponentStatus = 'up' | 'down';

export interface ReadinessReport {
  readonly service: string;
  readonly status: ComponentStatus;
  /** Each dependency the service needs to do its work, e.g. `{ database: 'up', kafka: 'up' }`. */
  readonly components: Readonly<Record<string, ComponentStatus>>;
  readonly checkedAt: string;
}
