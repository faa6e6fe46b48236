import type { EntityManager } from 'typeorm';

/**
 * The outbox row and the inbox row are only worth anything when they commit or roll back together
 * with the caller's own writes. A manager outside a transaction (e.g. `dataSource.manager`) would
 * commit them on their own: an event for a payment that never happened, or an event marked seen
 * whose effect was lost. Refuse that loudly instead.
 */
export function requireTransaction(manager: EntityManager, operation: string): void {
  if (manager.queryRunner?.isTransactionActive !== true) {
    throw new Error(`${operation} needs the EntityManager of an open transaction (dataSource.transaction(async (manager) => ...))`);
  }
}
