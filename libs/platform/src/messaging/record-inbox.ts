import type { EntityManager } from 'typeorm';
import { requireTransaction } from './require-transaction';

/**
 * Marks `eventId` as applied by `consumer` (its consumer group), in the caller's transaction.
 * True the first time: apply the event's effect with the same manager, so the mark and the
 * effect commit together. False for a redelivery: change nothing.
 *
 * Two deliveries racing in separate transactions are safe: the second INSERT waits on the first's
 * row lock and then finds the conflict (or inserts, if the first rolled back).
 */
export async function recordInbox(manager: EntityManager, consumer: string, topic: string, eventId: string): Promise<boolean> {
  requireTransaction(manager, 'recordInbox');
  const inserted: unknown[] = await manager.query(
    'INSERT INTO inbox (consumer, event_id, topic) VALUES ($1, $2, $3) ON CONFLICT (consumer, event_id) DO NOTHING RETURNING event_id',
    [consumer, eventId, topic],
  );
  return inserted.length === 1;
}
