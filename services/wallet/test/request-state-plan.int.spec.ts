import { randomUUID } from 'node:crypto';
import { dataSourceOptions, loadConfig, migrateWithLock } from '@bvs/platform';
import { TestDatabase } from '@bvs/platform/testing';
import { DataSource } from 'typeorm';
import { WalletEnv } from '../src/config/wallet-env';
import { WALLET_DATABASE } from '../src/persistence/wallet-database';
import { WALLETS_WITH_EARLIER } from '../src/wallet/persistence/request-state-store';

const WALLETS = 50;
const HOT_WALLET_HISTORY = 20_000;

/** Every index a plan (EXPLAIN's JSON) reads through. */
function indexesOf(node: Record<string, unknown>): string[] {
  const own = typeof node['Index Name'] === 'string' ? [node['Index Name']] : [];
  const children = (node['Plans'] as Record<string, unknown>[] | undefined) ?? [];
  return [...own, ...children.flatMap(indexesOf)];
}

/**
 * A request batch's read runs as a prepared statement, whose generic plan is made once from the
 * statistics of the moment and then kept. On the hot path that plan must not depend on them.
 */
describe('the request batch read on the real PostgreSQL', () => {
  let database: TestDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    database = await TestDatabase.create('request_state_plan');
    const env = loadConfig(WalletEnv, { HTTP_PORT: '0', GRPC_PORT: '0', DATABASE_URL: database.url });
    dataSource = await new DataSource(dataSourceOptions(env, WALLET_DATABASE)).initialize();
    await migrateWithLock(dataSource);
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  it('given statistics taken while every wallet held one transaction, when one wallet grows a long history, then its references are still found by the unique key', async () => {
    await dataSource.query(
      `INSERT INTO wallets (id, user_id, currency) SELECT gen_random_uuid(), gen_random_uuid(), 'NGN' FROM generate_series(1, $1::int)`,
      [WALLETS],
    );
    const fundOnce = `INSERT INTO wallet_transactions (id, wallet_id, user_id, type, status, amount, currency, reference, available_after, details, created_at, updated_at)
      SELECT gen_random_uuid(), w.id, w.user_id, 'FUNDING', 'COMPLETED', 100, 'NGN', 'fund-' || g || '-' || w.id, 100, '{}'::jsonb, now(), now()`;
    await dataSource.query(`${fundOnce} FROM wallets w, generate_series(1, 1) g`);
    await dataSource.query('ANALYZE wallets');
    await dataSource.query('ANALYZE wallet_transactions');
    const [hot] = (await dataSource.query('SELECT id, user_id FROM wallets LIMIT 1')) as { id: string; user_id: string }[];
    if (!hot) throw new Error('no wallet seeded');
    await dataSource.query(`${fundOnce} FROM wallets w, generate_series(2, $1::int + 1) g WHERE w.id = $2`, [HOT_WALLET_HISTORY, hot.id]);

    const runner = dataSource.createQueryRunner();
    await runner.connect();
    let plan: Record<string, unknown>;
    try {
      await runner.query('SET plan_cache_mode = force_generic_plan');
      await runner.query(`PREPARE probe (uuid[], text[]) AS ${WALLETS_WITH_EARLIER.text}`);
      // EXPLAIN takes no bound parameters; these literals are uuids and a reference made of them.
      const [explained] = (await runner.query(
        `EXPLAIN (FORMAT JSON) EXECUTE probe('{${hot.user_id},${hot.user_id}}'::uuid[], '{fund-7-${hot.id},${randomUUID()}}'::text[])`,
      )) as { 'QUERY PLAN': { Plan: Record<string, unknown> }[] }[];
      plan = explained?.['QUERY PLAN'][0]?.Plan ?? {};
      await runner.query('DEALLOCATE probe');
      await runner.query('RESET plan_cache_mode');
    } finally {
      await runner.release();
    }

    expect(indexesOf(plan)).toContain('wallet_transactions_reference_unique');
    expect(indexesOf(plan)).not.toContain('wallet_transactions_history');
  });
});
