/**
 * Limits and settings of {@link EventSchemaRegistry}. Every limit is explicit: a registry call
 * takes at most about `requestTimeoutMs * (retries + 1) + maxRetryDelayMs * retries`, and writes
 * (registering a schema) are never retried by the client, only reads.
 */
export interface EventSchemaRegistryOptions {
  /** Per HTTP request; the socket is abandoned after it and the call fails as unavailable. */
  readonly requestTimeoutMs: number;
  /** Extra attempts of a read (GET: schema by id, subject config) after a 5xx or a network error. */
  readonly retries: number;
  /** Delay before the first retry; grows exponentially (x2, ±20 % jitter) up to `maxRetryDelayMs`. */
  readonly initialRetryDelayMs: number;
  readonly maxRetryDelayMs: number;
  /**
   * The compatibility level every subject is put under before a schema is registered in it. The
   * contracts evolve under BACKWARD_TRANSITIVE: consumers upgrade first, then producers, and a new
   * version must read every version before it, not only the latest, because the topics and the
   * dead-letter topics keep messages written with any of them (a replay can bring back the oldest).
   */
  readonly compatibility: SchemaCompatibility;
  /** Sent as the client id (User-Agent) so the registry's logs tell callers apart. */
  readonly clientId: string;
  /** HTTP basic credentials, when the registry requires them. */
  readonly auth?: { readonly username: string; readonly password: string };
  /**
   * Whether encoding may register the topic's schema. Off for services: on the platform's
   * registries only the deploy step writes (npm run schemas:register, ADR 0007), and a service
   * only looks its schemas up, which anyone may.
   */
  readonly registers: boolean;
}

export type SchemaCompatibility =
  | 'BACKWARD'
  | 'BACKWARD_TRANSITIVE'
  | 'FORWARD'
  | 'FORWARD_TRANSITIVE'
  | 'FULL'
  | 'FULL_TRANSITIVE'
  | 'NONE';

/**
 * The levels whose checks each level makes too: BACKWARD_TRANSITIVE checks what BACKWARD checks
 * (against the latest version) and more (against all of them). Raising a subject from a level to
 * one that includes it refuses nothing the old level accepted since; any other change would.
 */
const INCLUDED_LEVELS: Readonly<Record<SchemaCompatibility, readonly SchemaCompatibility[]>> = {
  NONE: ['NONE'],
  BACKWARD: ['NONE', 'BACKWARD'],
  BACKWARD_TRANSITIVE: ['NONE', 'BACKWARD', 'BACKWARD_TRANSITIVE'],
  FORWARD: ['NONE', 'FORWARD'],
  FORWARD_TRANSITIVE: ['NONE', 'FORWARD', 'FORWARD_TRANSITIVE'],
  FULL: ['NONE', 'BACKWARD', 'FORWARD', 'FULL'],
  FULL_TRANSITIVE: ['NONE', 'BACKWARD', 'BACKWARD_TRANSITIVE', 'FORWARD', 'FORWARD_TRANSITIVE', 'FULL', 'FULL_TRANSITIVE'],
};

/** Whether `level` checks at least everything `other` checks. */
export function compatibilityIncludes(level: SchemaCompatibility, other: SchemaCompatibility): boolean {
  return INCLUDED_LEVELS[level].includes(other);
}

export function isSchemaCompatibility(value: unknown): value is SchemaCompatibility {
  return typeof value === 'string' && Object.hasOwn(INCLUDED_LEVELS, value);
}

export const DEFAULT_EVENT_SCHEMA_REGISTRY_OPTIONS: EventSchemaRegistryOptions = Object.freeze({
  requestTimeoutMs: 5_000,
  retries: 3,
  initialRetryDelayMs: 100,
  maxRetryDelayMs: 2_000,
  compatibility: 'BACKWARD_TRANSITIVE',
  clientId: 'bill-vending-service',
  registers: false,
});

/** Merges overrides onto the defaults and refuses nonsense early (fail fast at start-up). */
export function resolveEventSchemaRegistryOptions(overrides: Partial<EventSchemaRegistryOptions> = {}): EventSchemaRegistryOptions {
  const options: EventSchemaRegistryOptions = { ...DEFAULT_EVENT_SCHEMA_REGISTRY_OPTIONS, ...overrides };
  const positive = (name: 'requestTimeoutMs' | 'initialRetryDelayMs' | 'maxRetryDelayMs'): void => {
    const value = options[name];
    if (!Number.isInteger(value) || value <= 0) throw new RangeError(`${name} must be a positive integer, got ${value}`);
  };
  positive('requestTimeoutMs');
  positive('initialRetryDelayMs');
  positive('maxRetryDelayMs');
  if (!Number.isInteger(options.retries) || options.retries < 0 || options.retries > 10) {
    throw new RangeError(`retries must be an integer from 0 to 10, got ${options.retries}`);
  }
  if (options.maxRetryDelayMs < options.initialRetryDelayMs) {
    throw new RangeError('maxRetryDelayMs must not be below initialRetryDelayMs');
  }
  return options;
}
