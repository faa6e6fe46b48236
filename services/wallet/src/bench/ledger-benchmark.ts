import 'reflect-metadata';
import { randomBytes, randomUUID } from 'node:crypto';
import { dataSourceOptions, loadConfig, migrateWithLock } from '@bvs/platform';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { auditLedger } from '../audit/ledger-audit';
import { WalletEnv } from '../config/wallet-env';
import { WALLET_DATABASE } from '../persistence/wallet-database';
import { createWalletUseCases } from '../wallet/wallet-use-cases';

/**
 * `npm run bench:ledger`: how fast the ledger takes payments on the real PostgreSQL, spread over
 * many wallets and all on one hot wallet (where optimistic locking is under the most contention).
 * Prints throughput, latency percentiles and memory, and audits the book afterwards. Results are
 * recorded in docs/benchmarks.md; nothing here asserts a time.
 */
const ADMIN_URL = process.env['DATABASE_ADMIN_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const PAYMENTS = Number(process.env['BENCH_PAYMENTS'] ?? 2_000);
const CONCURRENCY = Number(process.env['BENCH_CONCURRENCY'] ?? 32);
const WALLETS = Number(process.env['BENCH_WALLETS'] ?? 200);
/** The wallet's batching knobs, taken from the environment when set, so that runs can compare them. */
const BATCHING_KNOBS = ['REQUESTS_PER_TRANSACTION', 'REQUEST_BATCHES_IN_PARALLEL'] as const;
const AMOUNT = 1_000n;
const print = (line: string) => process.stdout.write(`${line}\n`);

interface Scenario {
  readonly name: string;
  readonly users: readonly string[];
}

async function main(): Promise<void> {
  const name = `bench_ledger_${randomBytes(4).toString('hex')}`;
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  // The benchmark funds its wallets directly, as the sandbox does.
  const knobs = Object.fromEntries(BATCHING_KNOBS.flatMap((knob) => (process.env[knob] ? [[knob, process.env[knob]]] : [])));
  const env = loadConfig(WalletEnv, { ...knobs, HTTP_PORT: '0', GRPC_PORT: '0', DATABASE_URL: url.toString(), DATABASE_POOL_SIZE: String(CONCURRENCY), SANDBOX_DIRECT_FUNDING: 'true' });
  const dataSource = await new DataSource(dataSourceOptions(env, WALLET_DATABASE)).initialize();
  try {
    await migrateWithLock(dataSource);
    const { fundWallet, initiatePayment } = createWalletUseCases(dataSource, env);
    const origin = { correlationId: 'bench', causationId: null };
    const spread = Array.from({ length: WALLETS }, () => randomUUID());
    const hot = [randomUUID()];
    for (const user of [...spread, ...hot]) {
      await fundWallet.execute({ userId: user, amount: AMOUNT * BigInt(PAYMENTS), reference: 'bench-seed' }, origin);
    }
    print(
      `ledger benchmark: ${PAYMENTS} payments per scenario, concurrency ${CONCURRENCY}, ` +
        `${env.REQUESTS_PER_TRANSACTION} requests per transaction, ${env.REQUEST_BATCHES_IN_PARALLEL} batches in parallel, PostgreSQL ${await serverVersion(dataSource)}`,
    );
    print('scenario             payments/s   p50 ms   p95 ms   p99 ms   max ms   rss MiB');
    for (const scenario of [{ name: `${WALLETS} wallets`, users: spread }, { name: '1 hot wallet', users: hot }] satisfies Scenario[]) {
      const latencies: number[] = [];
      let next = 0;
      const started = process.hrtime.bigint();
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (next < PAYMENTS) {
            const index = next++;
            const user = scenario.users[index % scenario.users.length] ?? '';
            const begun = process.hrtime.bigint();
            await initiatePayment.execute({ userId: user, amount: AMOUNT, reference: `bench-${index}`, meterNumber: '1111111111111', providerCode: 'ikeja-electric-prepaid' }, origin);
            latencies.push(Number(process.hrtime.bigint() - begun) / 1e6);
          }
        }),
      );
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      latencies.sort((a, b) => a - b);
      const at = (q: number) => (latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0).toFixed(1).padStart(8);
      const rss = (process.memoryUsage().rss / 2 ** 20).toFixed(0).padStart(9);
      print(`${scenario.name.padEnd(20)} ${(PAYMENTS / seconds).toFixed(0).padStart(10)} ${at(0.5)} ${at(0.95)} ${at(0.99)} ${at(1)} ${rss}`);
    }
    const report = await auditLedger(dataSource);
    print(`audit: ${report.walletsChecked} wallets, ${report.findings.length} findings`);
    if (report.findings.length > 0) process.exitCode = 1;
  } finally {
    await dataSource.destroy();
    await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
}

async function admin(sql: string): Promise<void> {
  const client = new Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function serverVersion(dataSource: DataSource): Promise<string> {
  const [{ server_version }] = (await dataSource.query('SHOW server_version')) as [{ server_version: string }];
  return server_version;
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
