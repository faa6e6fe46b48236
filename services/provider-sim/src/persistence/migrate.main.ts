import 'reflect-metadata';
import { runMigrationCommand } from '@bvs/platform';
import { PROVIDER_SIM_DATABASE } from './provider-sim-database';

// Run by the provider-sim-migrate Job in Kubernetes: applies the migrations as the database owner, then
// grants the service's own role (DATABASE_RUNTIME_ROLE) read and write on every table. The service
// starts there with DATABASE_MIGRATE_ON_START=false and is not ready until this has run.
runMigrationCommand('provider-sim', PROVIDER_SIM_DATABASE);
