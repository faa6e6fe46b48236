import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions, type DatabaseDefinition } from '../src';
import { TestDatabase } from '../src/testing';

describe('dataSourceOptions (real PostgreSQL)', () => {
  let database: TestDatabase;
  const sources: DataSource[] = [];

  beforeAll(async () => {
    database = await TestDatabase.create('options');
  });

  afterAll(async () => {
    await Promise.all(sources.map((source) => source.destroy()));
    await database.drop();
  });

  async function connected(definition: DatabaseDefinition): Promise<DataSource> {
    const source = new DataSource(dataSourceOptions({ DATABASE_URL: database.url, DATABASE_POOL_SIZE: 3 }, definition));
    sources.push(source);
    return source.initialize();
  }

  /** What every connection of the pool says, asked at once so that the pool opens several. */
  async function synchronousCommitOfEachConnection(source: DataSource): Promise<string[]> {
    const answers = await Promise.all(
      [1, 2, 3].map(() => source.query<{ setting: string }[]>("SELECT current_setting('synchronous_commit') AS setting, pg_sleep(0.05)")),
    );
    return answers.map(([row]) => row?.setting ?? 'no answer');
  }

  it('opens every connection with asynchronous commit when the definition asks for it', async () => {
    const source = await connected({ entities: [], migrations: [], asynchronousCommit: true });

    await expect(synchronousCommitOfEachConnection(source)).resolves.toEqual(['off', 'off', 'off']);
  });

  it("leaves the server's setting alone otherwise", async () => {
    const plain = new Client({ connectionString: database.url });
    await plain.connect();
    const { rows } = await plain.query<{ setting: string }>("SELECT current_setting('synchronous_commit') AS setting");
    await plain.end();
    const source = await connected({ entities: [], migrations: [] });

    const settings = await synchronousCommitOfEachConnection(source);

    expect(rows[0]?.setting).not.toBe('off');
    expect(settings).toEqual([rows[0]?.setting, rows[0]?.setting, rows[0]?.setting]);
  });
});
