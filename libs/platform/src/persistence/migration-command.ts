import { Expose } from 'class-transformer';
import { Matches } from 'class-validator';
import { DataSource, Migration } from 'typeorm';
import { loadConfig } from '../config';
import { DatabaseDefinition, dataSourceOptions } from './database.module';
import { migrateWithLock } from './migrate-with-lock';
import { grantRuntimeAccess } from './runtime-access';

/** Two connections: the advisory lock's and the migrations'. */
const MIGRATION_POOL_SIZE = 2;

/** What a service's migrate command reads. */
export class MigrationEnv {
  /** The service's database, as its migration role (the database owner): postgres://user:password@host:port/database. */
  @Expose()
  @Matches(/^postgres(ql)?:\/\/.+\/[A-Za-z0-9_]+$/, { message: 'DATABASE_URL must be a postgres:// URL that names a database' })
  DATABASE_URL!: string;

  /** The role the service itself runs as: after migrating, it may read and write every table, and change none. */
  @Expose()
  @Matches(/^[a-z_][a-z0-9_]{0,62}$/, { message: 'DATABASE_RUNTIME_ROLE must name a PostgreSQL role (lower-case letters, digits and underscores)' })
  DATABASE_RUNTIME_ROLE!: string;
}

/** Applies the pending migrations as the migration role, then grants the runtime role what it needs. Returns the migrations applied. */
export async function migrateAndGrant(env: MigrationEnv, definition: DatabaseDefinition): Promise<Migration[]> {
  const dataSource = await new DataSource(dataSourceOptions({ DATABASE_URL: env.DATABASE_URL, DATABASE_POOL_SIZE: MIGRATION_POOL_SIZE }, definition)).initialize();
  try {
    const applied = await migrateWithLock(dataSource);
    await grantRuntimeAccess(dataSource, env.DATABASE_RUNTIME_ROLE);
    return applied;
  } finally {
    await dataSource.destroy();
  }
}

/**
 * The body of each service's migrate.main.ts, which the service's migrate Job runs in Kubernetes
 * (deploy/k8s/base/<service>/migrate-job.yaml). Exits 0 once the schema is current, 1 otherwise.
 */
export function runMigrationCommand(service: string, definition: DatabaseDefinition): void {
  Promise.resolve()
    .then(() => migrateAndGrant(loadConfig(MigrationEnv, process.env), definition))
    .then(
      (applied) => {
        const names = applied.length > 0 ? ` (${applied.map((migration) => migration.name).join(', ')})` : '';
        process.stdout.write(`${service}: ${applied.length} migration(s) applied${names}; the runtime role may read and write every table\n`);
        process.exit(0);
      },
      (error: unknown) => {
        process.stderr.write(`${service}: migrating failed: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exit(1);
      },
    );
}
