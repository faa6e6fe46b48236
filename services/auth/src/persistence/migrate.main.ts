import 'reflect-metadata';
import { runMigrationCommand } from '@bvs/platform';
import { AUTH_DATABASE } from './auth-database';

// Run by the auth-migrate Job in Kubernetes: applies the migrations as the database owner, then
// grants the service's own role (DATABASE_RUNTIME_ROLE) read and write on every table. The service
// starts there with DATABASE_MIGRATE_ON_START=false and is not ready until this has run.
runMigrationCommand('auth', AUTH_DATABASE);
