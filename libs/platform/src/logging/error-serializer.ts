import { stdSerializers } from 'pino';

/**
 * Fields of a database error that carry the values of a statement or a row: TypeORM's
 * `parameters` (on the error and on its `driverError`), and PostgreSQL's `detail`, which for a
 * unique violation reads "Key (email)=(ada@example.com) already exists".
 */
const ROW_VALUE_FIELDS = new Set(['parameters', 'detail']);
/** Nested errors (driverError, cause) are followed this deep; anything deeper is left out whole. */
const MAX_DEPTH = 4;

/**
 * pino's error serializer (type, message, stack, own fields, causes), less anything that holds
 * the values a statement was given or a row holds: an e-mail, a password hash or an amount must
 * never reach a log file because an INSERT failed. The SQL text, the error code and the
 * constraint's name stay: they are what an operator needs.
 */
export function errorWithoutRowValues(error: unknown): unknown {
  const serialized: unknown = error instanceof Error ? stdSerializers.err(error) : error;
  return withoutRowValues(serialized, 0);
}

function withoutRowValues(value: unknown, depth: number): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (depth > MAX_DEPTH) return '[nested too deep]';
  if (Array.isArray(value)) return value.map((item) => withoutRowValues(item, depth + 1));
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => !ROW_VALUE_FIELDS.has(key))
      .map(([key, field]) => [key, withoutRowValues(field, depth + 1)]),
  );
}
