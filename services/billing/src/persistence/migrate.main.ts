import 'reflect-metadata';
import { runMigrationCommand } from '@bvs/platform';
import { BILLING_DATABASE } from './billing-database';

// Run by the billing-migrate Job in Kubernetes: applies the migrations as the database owner, then
// grants the service's own role (DATABASE_RUNTIME_ROLE) read and write on every table. The service
// starts there with DATABASE_MIGRATE_ON_START=false and is not ready until this has run.
runMigrationCommand('billing', BILLING_DATABASE);
