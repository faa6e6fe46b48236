import { QueryRunnerAlreadyReleasedError, QueryRunnerProviderAlreadyReleasedError } from 'typeorm';

/** What pg-pool throws when no connection frees up within connectionTimeoutMillis. */
const POOL_WAIT_TIMED_OUT = 'timeout exceeded when trying to connect';
/**
 * The driver's own words for a connection lost or never made, which carry no code: the socket
 * ended (while connecting, or with a statement running) with no word from the server; a new
 * connection did not open within connectionTimeoutMillis; a statement sent on a connection that had
 * already failed.
 */
const CONNECTION_LOST = new Set([
  'Connection terminated unexpectedly',
  'Connection terminated due to connection timeout',
  'Client has encountered a connection error and is not queryable',
]);

/**
 * Connection-level failures (refused, reset, server shutting down) and a pool with no connection
 * to spare in time: nothing the SQL or the data did, so the same work may simply be tried again.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (error instanceof Error && error.message === POOL_WAIT_TIMED_OUT) return true;
  // TypeORM's answers to a statement of a transaction (the next query, or the COMMIT) on a connection
  // the server already dropped: nothing was committed, so it is the connection's failure, not the work's.
  if (error instanceof QueryRunnerAlreadyReleasedError || error instanceof QueryRunnerProviderAlreadyReleasedError) return true;
  const candidate = (error as { driverError?: unknown }).driverError ?? error;
  const code = (candidate as { code?: unknown }).code;
  if (typeof code !== 'string') return candidate instanceof Error && CONNECTION_LOST.has(candidate.message);
  // SQLSTATE class 08 (connection exception), 57P01-57P03 (shutdown, crash, cannot connect now),
  // 53300 (no connection slot left).
  if (code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03' || code === '53300') return true;
  // A database closed to connections for maintenance (ALLOW_CONNECTIONS false) answers 55000, a class
  // it shares with errors of the SQL, so only that message counts.
  if (code === '55000') return /is not currently accepting connections/.test(String((candidate as { message?: unknown }).message));
  return ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND'].includes(code);
}
