import { ServiceError } from '../errors';

export interface PageCursor {
  /** The row's created_at as PostgreSQL prints it (microseconds kept; a JavaScript Date would round them away). */
  readonly createdAt: string;
  readonly id: string;
}

/** Opaque to clients: the (created_at, id) of the last row of a page, newest-first keyset pagination. */
export function encodePageCursor(cursor: PageCursor): string {
  return Buffer.from(JSON.stringify([cursor.createdAt, cursor.id])).toString('base64url');
}

/** Refuses, with the caller's stable code, anything that is not a cursor this API handed out. */
export function decodePageCursor(text: string, errorCode: string): PageCursor {
  const invalid = () => new ServiceError(errorCode, 400, 'The cursor is not one this API returned.', { field: 'cursor' });
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) throw invalid();
  const [createdAt, id] = parsed as unknown[];
  if (typeof createdAt !== 'string' || Number.isNaN(Date.parse(createdAt))) throw invalid();
  if (typeof id !== 'string' || !/^[0-9a-f-]{36}$/i.test(id)) throw invalid();
  return { createdAt, id };
}
