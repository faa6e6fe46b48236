import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { MigrationInterface, QueryRunner } from 'typeorm';
import { DatabaseDefinition, DatabaseServiceEnv, loadConfig, migrateAndGrant, migratedSchemaDependency } from '../src';
import { readInfraAddresses } from '../src/testing';

class CreateProbeLedger1700000000000 implements MigrationInterface {
  name = 'CreateProbeLedger1700000000000';
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('CREATE TABLE probe_ledger (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, amount_minor bigint NOT NULL)');
  }
  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE probe_ledger');
  }
}

const DEFINITION: DatabaseDefinition = { entities: [], migrations: [CreateProbeLedger1700000000000] };
const INSUFFICIENT_PRIVILEGE = '42501';

describe('migrations as the database owner, the service as a role without DDL (real PostgreSQL)', () => {
  const suffix = randomBytes(4).toString('hex');
  const owner = `t_owner_${suffix}`;
  const runtime = `t_runtime_${suffix}`;
  const database = `t_roles_${suffix}`;
  const password = randomBytes(12).toString('hex');
  const adminUrl = readInfraAddresses().DATABASE_ADMIN_URL;

  function urlAs(role: string): string {
    const url = new URL(adminUrl);
    url.username = role;
    url.password = password;
    url.pathname = `/${database}`;
    return url.toString();
  }

  async function asAdmin(statements: string[]): Promise<void> {
    const client = new Client({ connectionString: adminUrl });
    await client.connect();
    try {
      for (const statement of statements) await client.query(statement);
    } finally {
      await client.end();
    }
  }

  /** Runs one statement as the runtime role; resolves with the error code it failed with, or undefined. */
  async function asRuntime(statement: string): Promise<string | undefined> {
    const client = new Client({ connectionString: urlAs(runtime) });
    await client.connect();
    try {
      await client.query(statement);
      return undefined;
    } catch (error) {
      return (error as { code?: string }).code;
    } finally {
      await client.end();
    }
  }

  const serviceEnv = () => loadConfig(DatabaseServiceEnv, { HTTP_PORT: '0', DATABASE_URL: urlAs(runtime), DATABASE_MIGRATE_ON_START: 'false' });

  beforeAll(async () => {
    await asAdmin([`CREATE ROLE ${owner} LOGIN PASSWORD '${password}'`, `CREATE ROLE ${runtime} LOGIN PASSWORD '${password}'`, `CREATE DATABASE ${database} OWNER ${owner}`]);
  });

  afterAll(async () => {
    await asAdmin([`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`, `DROP ROLE IF EXISTS ${runtime}`, `DROP ROLE IF EXISTS ${owner}`]);
  });

  it('keeps the service waiting while a migration of its build is missing, and names it', async () => {
    expect(serviceEnv().DATABASE_MIGRATE_ON_START).toBe(false);
    await expect(migratedSchemaDependency(serviceEnv(), DEFINITION).check()).rejects.toThrow(/1 migration\(s\) of this build not applied yet \(CreateProbeLedger1700000000000\)/);
  });

  it('migrates as the owner, then lets the runtime role read and write but change no schema', async () => {
    const applied = await migrateAndGrant({ DATABASE_URL: urlAs(owner), DATABASE_RUNTIME_ROLE: runtime }, DEFINITION);
    expect(applied.map((migration) => migration.name)).toEqual(['CreateProbeLedger1700000000000']);
    await expect(migratedSchemaDependency(serviceEnv(), DEFINITION).check()).resolves.toBeUndefined();

    expect(await asRuntime('INSERT INTO probe_ledger (amount_minor) VALUES (1500)')).toBeUndefined();
    expect(await asRuntime('UPDATE probe_ledger SET amount_minor = 2500')).toBeUndefined();
    expect(await asRuntime('SELECT amount_minor FROM probe_ledger')).toBeUndefined();
    expect(await asRuntime('DELETE FROM probe_ledger')).toBeUndefined();
    expect(await asRuntime('SELECT name FROM migrations')).toBeUndefined();

    expect(await asRuntime('CREATE TABLE intruder (id int)')).toBe(INSUFFICIENT_PRIVILEGE);
    // Not the owner: PostgreSQL answers 42501 (must be owner) for each of these.
    expect(await asRuntime('ALTER TABLE probe_ledger ADD COLUMN note text')).toBe(INSUFFICIENT_PRIVILEGE);
    expect(await asRuntime('CREATE INDEX probe_ledger_amount ON probe_ledger (amount_minor)')).toBe(INSUFFICIENT_PRIVILEGE);
    expect(await asRuntime('DROP TABLE probe_ledger')).toBe(INSUFFICIENT_PRIVILEGE);
    expect(await asRuntime('TRUNCATE probe_ledger')).toBe(INSUFFICIENT_PRIVILEGE);
    expect(await asRuntime("INSERT INTO migrations (timestamp, name) VALUES (1, 'Forged1')")).toBe(INSUFFICIENT_PRIVILEGE);
  });

  it('applies nothing the second time and keeps the grants', async () => {
    await expect(migrateAndGrant({ DATABASE_URL: urlAs(owner), DATABASE_RUNTIME_ROLE: runtime }, DEFINITION)).resolves.toEqual([]);
    expect(await asRuntime('INSERT INTO probe_ledger (amount_minor) VALUES (700)')).toBeUndefined();
  });
});
