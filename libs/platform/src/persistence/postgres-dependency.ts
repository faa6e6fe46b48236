import { Client } from 'pg';
import type { StartupDependency } from '../startup';

const CONNECT_TIMEOUT_MS = 5_000;

/** PostgreSQL is there when the service's own database accepts a connection and answers a query. */
export function postgresDependency(databaseUrl: string): StartupDependency {
  return {
    name: 'postgresql',
    async check() {
      const client = new Client({ connectionString: databaseUrl, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
      // A connection that breaks while we ask must not surface as an unhandled 'error' event.
      client.on('error', () => undefined);
      try {
        await client.connect();
        await client.query('SELECT 1');
      } finally {
        await client.end().catch(() => undefined);
      }
    },
  };
}
