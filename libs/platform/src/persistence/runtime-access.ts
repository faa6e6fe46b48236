import type { DataSource } from 'typeorm';

/**
 * Lets the service's runtime role read and write every table and use every sequence in the
 * schema, and nothing more: it owns no object and may not create one (PostgreSQL 15 gives CREATE
 * on schema public to the database owner only), so it can neither create, alter, drop nor
 * truncate a table. The migration role runs this after every migration run, so a table a
 * migration adds is usable at once. The migrations table stays read-only to it: the service checks
 * which migrations ran, and never records one.
 */
export async function grantRuntimeAccess(dataSource: DataSource, role: string): Promise<void> {
  const grantee = dataSource.driver.escape(role);
  const migrationsTable = dataSource.driver.escape(dataSource.options.migrationsTableName ?? 'migrations');
  await dataSource.transaction(async (manager) => {
    await manager.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${grantee}`);
    await manager.query(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${grantee}`);
    await manager.query(`REVOKE INSERT, UPDATE, DELETE ON ${migrationsTable} FROM ${grantee}`);
  });
}
