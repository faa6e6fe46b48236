import type { EntityManager } from 'typeorm';
import { PreparedStatement } from '../persistence/prepared-statement';
import { requireTransaction } from './require-transaction';

const RECORD_INBOX = new PreparedStatement(
  'inbox_record',
  `INSERT INTO inbox (consumer, event_id, topic) SELECT $1, event_id, $2 FROM unnest($3::uuid[]) AS given (event_id)
   ON CONFLICT (consumer, event_id) DO NOTHING RETURNING event_id`,
);

/**
 * Marks `eventId` as applied by `consumer` (its consumer group), in the caller's transaction.
 * True the first time: apply the event's effect with the same manager, so the mark and the
 * effect commit together. False for a redelivery: change nothing.
 *
 * Two deliveries racing in separate transactions are safe: the second INSERT waits on the first's
 * row lock and then finds the conflict (or inserts, if the first rolled back).
 */
export async function recordInbox(manager: EntityManager, consumer: string, topic: string, eventId: string): Promise<boolean> {
  return (await recordInboxAll(manager, consumer, topic, [eventId])).has(eventId);
}

/**
 * `recordInbox` for several events in one statement: the ids among `eventIds` (as given) seen for
 * the first time. An id given twice is in the answer once: apply its event once.
 */
export async function recordInboxAll(manager: EntityManager, consumer: string, topic: string, eventIds: readonly string[]): Promise<Set<string>> {
  requireTransaction(manager, 'recordInbox');
  if (eventIds.length === 0) return new Set();
  const { rows: inserted } = await RECORD_INBOX.run<{ event_id: string }>(manager, [consumer, topic, eventIds]);
  // PostgreSQL answers a uuid in lower case, whatever case the producer wrote it in.
  const insertedIds = new Set(inserted.map((row) => row.event_id));
  return new Set(eventIds.filter((eventId) => insertedIds.has(eventId.toLowerCase())));
}
