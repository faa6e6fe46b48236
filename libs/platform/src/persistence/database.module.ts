import { DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource, DataSourceOptions, MixedList, EntitySchema } from 'typeorm';
import { DatabaseServiceEnv } from '../config';
import { migrateWithLock } from './migrate-with-lock';

type ClassOrSchema = MixedList<string | (abstract new (...args: never[]) => unknown) | EntitySchema>;

export interface DatabaseDefinition {
  readonly entities: ClassOrSchema;
  readonly migrations: ClassOrSchema;
  /**
   * Commit without waiting for the WAL to reach disk (`synchronous_commit = off`) on every
   * connection. A crash of PostgreSQL itself (not of the service, and not a clean restart) may then
   * lose the last few hundred milliseconds of commits. Only for a database that may forget them:
   * never one that holds money, events or anything a service has answered for.
   */
  readonly asynchronousCommit?: boolean;
}

/** Options shared by the running service and its migration command. Never `synchronize`. */
export function dataSourceOptions(env: Pick<DatabaseServiceEnv, 'DATABASE_URL' | 'DATABASE_POOL_SIZE'>, definition: DatabaseDefinition): DataSourceOptions {
  return {
    type: 'postgres',
    url: env.DATABASE_URL,
    entities: definition.entities as DataSourceOptions['entities'],
    migrations: definition.migrations as DataSourceOptions['migrations'],
    synchronize: false,
    migrationsRun: false,
    migrationsTransactionMode: 'each',
    extra: {
      max: env.DATABASE_POOL_SIZE,
      connectionTimeoutMillis: 5_000,
      statement_timeout: 15_000,
      ...(definition.asynchronousCommit === true ? { options: '-c synchronous_commit=off' } : {}),
    },
  };
}

/**
 * The service's TypeORM connection. With DATABASE_MIGRATE_ON_START, pending migrations run before
 * anything else in the service can touch a table, under an advisory lock so replicas that start
 * together migrate once. Without it the migrate command has applied them (start-up waited for
 * that: databaseDependencies), as a role the service's own may not act as.
 */
export function databaseModule(env: DatabaseServiceEnv, definition: DatabaseDefinition): DynamicModule {
  return TypeOrmModule.forRootAsync({
    useFactory: () => dataSourceOptions(env, definition),
    dataSourceFactory: async (options) => {
      if (!options) throw new Error('databaseModule: no data source options');
      const dataSource = await new DataSource(options).initialize();
      if (env.DATABASE_MIGRATE_ON_START) await migrateWithLock(dataSource);
      return dataSource;
    },
  });
}
