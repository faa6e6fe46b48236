import { ServiceError } from '@bvs/platform';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const REFERENCE = /^[A-Za-z0-9._:-]{1,64}$/;

/**
 * Any producer on the cluster can write to the request topics, so the wallet re-checks what the
 * gateway already validated for users: a malformed request is refused before it touches a table.
 */
export function requireFields(request: unknown, checks: Readonly<Record<string, (value: unknown) => boolean>>): Record<string, unknown> {
  const record = typeof request === 'object' && request !== null ? (request as Record<string, unknown>) : {};
  const bad = Object.entries(checks)
    .filter(([field, check]) => !check(record[field]))
    .map(([field]) => field);
  if (bad.length > 0) throw new ServiceError('REQUEST.INVALID', 400, `Invalid fields: ${bad.join(', ')}.`, { fields: bad });
  return record;
}

export const isUuid = (value: unknown) => typeof value === 'string' && UUID.test(value);
export const isReference = (value: unknown) => typeof value === 'string' && REFERENCE.test(value);
export const isString = (value: unknown) => typeof value === 'string';
export const isShortText = (value: unknown) => typeof value === 'string' && value.length > 0 && value.length <= 64;
export const optional = (check: (value: unknown) => boolean) => (value: unknown) => value === undefined || value === null || check(value);
export const oneOf = (allowed: readonly string[]) => (value: unknown) => typeof value === 'string' && allowed.includes(value);
export const isInstant = (value: unknown) => typeof value === 'string' && !Number.isNaN(Date.parse(value));
export const isPageSize = (value: unknown) => typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 100;
