import { DataSource, QueryFailedError } from 'typeorm';
import { PreparedStatement } from '../src';
import { TestDatabase } from '../src/testing';

const INSERT_PROBES = new PreparedStatement(
  'probe_insert',
  `INSERT INTO probe (id, label) SELECT * FROM unnest($1::int[], $2::text[]) ON CONFLICT (id) DO NOTHING RETURNING id`,
);
const PROBES_BY_ID = new PreparedStatement('probe_by_id', 'SELECT id, label FROM probe WHERE id = ANY($1::int[]) ORDER BY id');
const INSERT_PROBE_STRICTLY = new PreparedStatement('probe_insert_strictly', 'INSERT INTO probe (id, label) VALUES ($1, $2)');

describe('PreparedStatement (real PostgreSQL)', () => {
  let database: TestDatabase;
  let source: DataSource;

  beforeAll(async () => {
    database = await TestDatabase.create('prepared');
    // One connection, so every call below lands on the connection whose prepared statements it reads.
    source = await new DataSource({ type: 'postgres', url: database.url, poolSize: 1 }).initialize();
    await source.query('CREATE TABLE probe (id integer PRIMARY KEY, label text NOT NULL)');
  });

  afterAll(async () => {
    await source.destroy();
    await database.drop();
  });

  beforeEach(async () => {
    await source.query('TRUNCATE probe');
  });

  it('runs in the caller transaction: a rollback leaves nothing', async () => {
    await expect(
      source.transaction(async (manager) => {
        const { rows, rowCount } = await INSERT_PROBES.run<{ id: number }>(manager, [
          [1, 2],
          ['one', 'two'],
        ]);
        expect(rows).toEqual([{ id: 1 }, { id: 2 }]);
        expect(rowCount).toBe(2);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');

    const { rows } = await PROBES_BY_ID.run(source.manager, [[1, 2]]);
    expect(rows).toEqual([]);
  });

  it('runs outside a transaction on a connection of its own, and returns it to the pool', async () => {
    await INSERT_PROBES.run(source.manager, [[3], ['three']]);
    const { rows } = await PROBES_BY_ID.run(source.manager, [[3, 4]]);
    expect(rows).toEqual([{ id: 3, label: 'three' }]);
    // A connection not given back would leave this one-connection pool waiting here for ever.
    await expect(source.query('SELECT 1 AS one')).resolves.toEqual([{ one: 1 }]);
  });

  it('prepares once per connection and runs the prepared statement after that', async () => {
    const runsOf = async (): Promise<{ name: string; runs: number }[]> =>
      source.query(
        `SELECT name, (generic_plans + custom_plans)::int AS runs FROM pg_prepared_statements WHERE name IN ('probe_insert', 'probe_by_id') ORDER BY name`,
      );
    await PROBES_BY_ID.run(source.manager, [[10]]);
    await INSERT_PROBES.run(source.manager, [[10], ['before']]);
    const before = await runsOf();

    for (let run = 0; run < 3; run += 1) await INSERT_PROBES.run(source.manager, [[11 + run], [`run ${run}`]]);

    const after = await runsOf();
    expect(after.map((statement) => statement.name)).toEqual(['probe_by_id', 'probe_insert']);
    expect(after.map((statement, index) => statement.runs - (before[index]?.runs ?? 0))).toEqual([0, 3]);
  });

  it('answers rowCount for an update, and counts only the rows it changed', async () => {
    await INSERT_PROBES.run(source.manager, [
      [20, 21],
      ['a', 'b'],
    ]);
    const relabel = new PreparedStatement('probe_relabel', 'UPDATE probe SET label = $2 WHERE id = ANY($1::int[])');

    const { rowCount, rows } = await relabel.run(source.manager, [[20, 21, 22], 'c']);

    expect(rowCount).toBe(2);
    expect(rows).toEqual([]);
  });

  it('throws what manager.query throws, so a unique violation is told apart the same way', async () => {
    await INSERT_PROBE_STRICTLY.run(source.manager, [30, 'first']);

    const failure: unknown = await INSERT_PROBE_STRICTLY.run(source.manager, [30, 'second']).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(QueryFailedError);
    expect((failure as QueryFailedError).driverError).toMatchObject({ code: '23505', constraint: 'probe_pkey' });
    expect((failure as QueryFailedError).query).toBe(INSERT_PROBE_STRICTLY.text);
  });

  it('refuses a name given to another text, and a name PostgreSQL would truncate', () => {
    expect(() => new PreparedStatement('probe_by_id', 'SELECT 1')).toThrow('already defined with another text');
    expect(new PreparedStatement('probe_by_id', PROBES_BY_ID.text).name).toBe('probe_by_id');
    expect(() => new PreparedStatement('p'.repeat(64), 'SELECT 1')).toThrow('at most 63 characters');
    expect(() => new PreparedStatement('Probe By Id', 'SELECT 1')).toThrow('must match');
  });
});
