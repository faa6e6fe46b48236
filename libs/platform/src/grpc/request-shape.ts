import { ServiceError } from '../errors';

export type FieldCheck = (value: unknown) => boolean;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Predicates for request fields; `optional` wraps any of them for a field that may be absent. */
export const FIELD = {
  string: (value: unknown) => typeof value === 'string',
  uuid: (value: unknown) => typeof value === 'string' && UUID.test(value),
  matching: (pattern: RegExp) => (value: unknown) => typeof value === 'string' && pattern.test(value),
  oneOf: (allowed: readonly string[]) => (value: unknown) => typeof value === 'string' && allowed.includes(value),
  instant: (value: unknown) => typeof value === 'string' && !Number.isNaN(Date.parse(value)),
  integerBetween: (min: number, max: number) => (value: unknown) => typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max,
  optional: (check: FieldCheck) => (value: unknown) => value === undefined || value === null || check(value),
} as const;

/**
 * Any producer on the cluster can write to a service's request topics, so each handler re-checks
 * the shape the gateway already validated for users: a malformed request is a 400 naming its
 * fields, before it touches a table.
 */
export function requireShape(request: unknown, checks: Readonly<Record<string, FieldCheck>>): void {
  const record = typeof request === 'object' && request !== null ? (request as Record<string, unknown>) : {};
  const bad = Object.entries(checks)
    .filter(([field, check]) => !check(record[field]))
    .map(([field]) => field);
  if (bad.length > 0) throw new ServiceError('REQUEST.INVALID', 400, `Invalid fields: ${bad.join(', ')}.`, { fields: bad });
}
