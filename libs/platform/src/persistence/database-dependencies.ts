import { DataSource, MigrationExecutor } from 'typeorm';
import type { DatabaseServiceEnv } from '../config';
import type { StartupDependency } from '../startup';
import { DatabaseDefinition, dataSourceOptions } from './database.module';
import { postgresDependency } from './postgres-dependency';

/**
 * The schema holds every migration of this build. A service that does not migrate itself
 * (DATABASE_MIGRATE_ON_START=false) waits for this, live and not ready, while its migrate Job runs;
 * past the start-up deadline it exits naming the migrations still missing. Reading which ran needs
 * no DDL, so the service's own role can ask.
 */
export function migratedSchemaDependency(env: DatabaseServiceEnv, definition: DatabaseDefinition): StartupDependency {
  return {
    name: 'database-schema',
    async check() {
      // One connection: this only reads the migrations table.
      const dataSource = await new DataSource(dataSourceOptions({ ...env, DATABASE_POOL_SIZE: 1 }, definition)).initialize();
      try {
        const pending = await new MigrationExecutor(dataSource).getPendingMigrations();
        if (pending.length > 0) {
          throw new Error(`${pending.length} migration(s) of this build not applied yet (${pending.map((migration) => migration.name).join(', ')}): the service's migrate Job applies them`);
        }
      } finally {
        await dataSource.destroy();
      }
    },
  };
}

/** What a service with a database waits for at start-up: the database, and its schema unless the service migrates it itself. */
export function databaseDependencies(env: DatabaseServiceEnv, definition: DatabaseDefinition): StartupDependency[] {
  return [postgresDependency(env.DATABASE_URL), ...(env.DATABASE_MIGRATE_ON_START ? [] : [migratedSchemaDependency(env, definition)])];
}
