import { DataSource, MigrationInterface, QueryRunner } from 'typeorm';
import { migrateWithLock } from '../src';
import { TestDatabase } from '../src/testing';

class CreateProbeTable1700000000000 implements MigrationInterface {
  name = 'CreateProbeTable1700000000000';
  async up(queryRunner: QueryRunner): Promise<void> {
    // Slow on purpose, so two replicas migrating at once would overlap without the lock.
    await queryRunner.query('SELECT pg_sleep(0.5)');
    await queryRunner.query('CREATE TABLE probe (id integer PRIMARY KEY)');
  }
  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE probe');
  }
}

describe('migrateWithLock (real PostgreSQL)', () => {
  let database: TestDatabase;
  const sources: DataSource[] = [];

  beforeAll(async () => {
    database = await TestDatabase.create('migrate');
  });

  afterAll(async () => {
    await Promise.all(sources.map((source) => source.destroy()));
    await database.drop();
  });

  async function replica(): Promise<DataSource> {
    const source = new DataSource({ type: 'postgres', url: database.url, migrations: [CreateProbeTable1700000000000] });
    sources.push(source);
    return source.initialize();
  }

  it('applies each migration exactly once when replicas start together', async () => {
    const [first, second] = await Promise.all([replica(), replica()]);
    const results = await Promise.all([migrateWithLock(first), migrateWithLock(second)]);

    expect(results.map((applied) => applied.length).sort()).toEqual([0, 1]);
    const recorded = await first.query('SELECT name FROM migrations');
    expect(recorded).toEqual([{ name: 'CreateProbeTable1700000000000' }]);
    await expect(first.query('SELECT count(*)::int AS n FROM probe')).resolves.toEqual([{ n: 0 }]);
  });
});
