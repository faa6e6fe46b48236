import { DataSource, Migration } from 'typeorm';

/** Any fixed 64-bit number works; it only has to be the same for every replica of every service. */
const MIGRATION_LOCK_KEY = 7_317_001;

/**
 * Runs pending migrations while holding a session-level advisory lock on a connection of its own,
 * so two replicas starting at once do not both try to create the same tables.
 */
export async function migrateWithLock(dataSource: DataSource): Promise<Migration[]> {
  const lockHolder = dataSource.createQueryRunner();
  await lockHolder.connect();
  try {
    await lockHolder.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    return await dataSource.runMigrations({ transaction: 'each' });
  } finally {
    await lockHolder.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await lockHolder.release();
  }
}
