// Purchases at the machine's limit, through the public API of a running system
// (bash deploy/local/up.sh, or REPLICAS=2 ...). Registers and funds users, sets the provider
// simulator's latency, runs the load for --warmup-seconds and leaves it out of every figure (a system
// just started compiles its hot code and fills its caches, Node's JIT, the broker's JVM and
// PostgreSQL's buffers, during its first thousands of payments: not the steady state the figures
// describe), vacuums and analyzes the services' databases, then pays at a fixed offered rate (open
// loop: a stall shows as latency and errors, it cannot slow the offer) or with C clients that each
// pay again as soon as they get an answer (closed loop). Afterwards it waits for every accepted payment to settle and reports:
// accepted/s and completed/s, pay -> 202 latency, 202 -> COMPLETED latency (from the wallet's own
// timestamps: the PAYMENT row's created_at and the update that completed it, not from polling),
// errors by status, each process's peak RSS, CPU and write system calls per payment, PostgreSQL's WAL
// flushes and bytes per payment (with --sample-waits, what PostgreSQL's backends waited on), how
// much of the time the machine's tasks waited for a core, the ledger audit, and the same figures as
// ratios of the limits beside us (pgbench of the wallet's initiation SQL, a raw Kafka round trip).
//
//   npm run bench:purchase -- --help    (the options, below in USAGE)
//
// Run the system with AUTH_RATE_LIMIT=10000 USER_RATE_LIMIT=1000000 (registering is limited per address,
// and paying per user; --hot pays hundreds a second as one user).
// Bounded: at most MAX_RATE offered a second, MAX_CLIENTS clients, MAX_SECONDS of load,
// MAX_WARMUP_SECONDS of warm-up, MAX_IN_FLIGHT requests outstanding (beyond it an offered request
// counts as 'client-overload'),
// each request with a 10 s timeout, and DRAIN_TIMEOUT_MS for the payments to settle. Only loopback
// addresses are called.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { apiClient, fundAndAwaitCredit, httpPortOf, instancesOf, ROOT, SERVICES } from '../../lib/local-system.mjs';
import { kafkaRoundTrip, pgbenchInitiation } from './limits.mjs';
import { ProcessSamplerThread } from './process-sampler-thread.mjs';
import { CpuPressure, percentiles, PostgresWaitSampler } from './stats.mjs';

const REQUEST_TIMEOUT_MS = 10_000;
const DRAIN_TIMEOUT_MS = 300_000;
const MAX_RATE = 5_000;
const MAX_CLIENTS = 1_000;
const MAX_SECONDS = 600;
const MAX_WARMUP_SECONDS = 120;
const MAX_USERS = 5_000;
const MAX_IN_FLIGHT = 10_000;
const SETUP_CONCURRENCY = 10;
const SETUP_ATTEMPTS = 5;
/** One funding call may add at most ₦1,000,000 (the wallet's limit). */
const FUNDING_LIMIT_MINOR = 100_000_000;
const PROVIDER = 'ikeja-electric-prepaid';
const SUCCEEDING_METER = '1111111111111';

const USAGE = `usage: npm run bench:purchase -- [--mode open|closed] [--rate 200] [--clients 50] [--seconds 60]
       [--users 200] [--hot] [--provider-latency 50 | 500-2000] [--amount 100000] [--no-limits]
       [--sample-waits] [--warmup-seconds 15]
against a system started with AUTH_RATE_LIMIT=10000 USER_RATE_LIMIT=1000000 bash deploy/local/up.sh
(docs/benchmarks.md says what each figure means)
`;

const { values } = parseArgsOrExplain({
  options: {
    mode: { type: 'string', default: 'open' },
    rate: { type: 'string', default: '200' },
    clients: { type: 'string', default: '50' },
    seconds: { type: 'string', default: '60' },
    'warmup-seconds': { type: 'string', default: '15' },
    users: { type: 'string', default: '200' },
    hot: { type: 'boolean', default: false },
    'provider-latency': { type: 'string', default: '50' },
    amount: { type: 'string', default: '100000' },
    'no-limits': { type: 'boolean', default: false },
    'sample-waits': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
const mode = values.mode;
if (!['open', 'closed'].includes(mode)) throw new Error('--mode must be open or closed');
const rate = Math.min(Number(values.rate), MAX_RATE);
const clients = Math.min(Number(values.clients), MAX_CLIENTS);
const seconds = Math.min(Number(values.seconds), MAX_SECONDS);
const warmupSeconds = Math.min(Number(values['warmup-seconds']), MAX_WARMUP_SECONDS);
const userCount = values.hot ? 1 : Math.min(Number(values.users), MAX_USERS);
const amount = Number(values.amount);
const [latencyMinMs, latencyMaxMs = latencyMinMs] = values['provider-latency'].split('-').map(Number);
for (const [name, value] of Object.entries({ rate, clients, seconds, warmupSeconds, userCount, amount, latencyMinMs, latencyMaxMs })) {
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, got ${value}`);
}

const { gateways, request } = apiClient({ timeoutMs: REQUEST_TIMEOUT_MS, startHint: 'AUTH_RATE_LIMIT=10000 USER_RATE_LIMIT=1000000 bash deploy/local/up.sh' });

const infra = Object.fromEntries(
  execFileSync('bash', [join(ROOT, 'deploy/local/infra.sh'), 'env'], { encoding: 'utf8' })
    .split('\n')
    .map((line) => /^export ([A-Z_]+)=["']?(.*?)["']?$/.exec(line))
    .filter(Boolean)
    .map((match) => [match[1], match[2]]),
);
const databaseUrl = (database) => `${infra.DATABASE_ADMIN_URL.replace(/\/[^/]*$/, '')}/${database}`;

/** The options, or the usage on stderr and exit status 64 when they cannot be read. */
function parseArgsOrExplain(config) {
  try {
    return parseArgs(config);
  } catch (error) {
    process.stderr.write(`${error.message}\n${USAGE}`);
    process.exit(64);
  }
}

/**
 * VACUUM (ANALYZE) of every service's database before the load. A machine's PostgreSQL may run
 * with autovacuum off (this project's reference machine does), and then tables grown by earlier
 * runs keep their dead rows and no statistics: plans and index scans drift from run to run. A
 * deployed PostgreSQL (CloudNativePG) vacuums and analyzes on its own; this measures that state.
 */
async function vacuumServiceDatabases() {
  const databases = [...new Set(Object.values(SERVICES).map((service) => service.database))].filter((database) => database && database !== '-');
  for (const database of databases) {
    const client = new pg.Client({ connectionString: databaseUrl(database) });
    await client.connect();
    try {
      await client.query('VACUUM (ANALYZE)');
    } finally {
      await client.end();
    }
  }
  console.error(`bench ${runId}: vacuumed and analyzed ${databases.join(', ')}`);
}

async function setProviderLatency(minMs, maxMs) {
  const token = readFileSync(join(ROOT, '.infra/provider-sim-admin-token'), 'utf8').trim();
  const response = await fetch(`http://127.0.0.1:${httpPortOf('provider-sim')}/admin/behaviour`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ latencyMinMs: minMs, latencyMaxMs: maxMs }),
  });
  if (!response.ok) throw new Error(`the simulator refused the latency: ${response.status} ${await response.text()}`);
}

/**
 * The cluster's WAL so far (pg_stat_wal): how often it was flushed to disk, and how much was
 * written. Every commit that waits for the disk needs a flush, and concurrent commits queue behind
 * each one, so flushes per payment are a cost of the design that CPU figures do not show.
 */
async function walSoFar() {
  const admin = new pg.Client({ connectionString: infra.DATABASE_ADMIN_URL });
  await admin.connect();
  try {
    const { rows } = await admin.query('SELECT wal_sync, wal_bytes FROM pg_stat_wal');
    return { flushes: Number(rows[0].wal_sync), bytes: Number(rows[0].wal_bytes) };
  } finally {
    await admin.end();
  }
}

/** A registered, logged-in user whose wallet holds enough for `payments` payments. */
async function fundedUser(payments) {
  const email = `bench-${randomUUID()}@example.com`;
  const password = 'orange-Kettle-42';
  // Hashing passwords is the slowest call auth has: under a burst a register may outlast the
  // gateway's deadline (504) and still succeed. Retrying is safe: a taken address answers 202 like
  // a free one and keeps its account (ADR 0009), whose password is this same one.
  const registered = await withRetries(() => request('POST', '/users/register', { email, password }), [202], []);
  if (registered.status !== 202) throw new Error(`register failed with ${registered.status} (run the system with AUTH_RATE_LIMIT=10000)`);
  const login = await withRetries(() => request('POST', '/users/login', { email, password }), [200], []);
  if (login.status !== 200) throw new Error(`login failed with ${login.status}`);
  const token = login.body.accessToken;
  let needed = BigInt(payments) * BigInt(amount);
  while (needed > 0n) {
    await fundAndAwaitCredit(request, token, FUNDING_LIMIT_MINOR, `bench-fund-${randomUUID()}`);
    needed -= BigInt(FUNDING_LIMIT_MINOR);
  }
  return token;
}

/** Repeats a set-up call that got 503, 504 or no answer, up to SETUP_ATTEMPTS times; `doneAfterRetry` statuses also end it once retried. */
async function withRetries(call, done, doneAfterRetry) {
  let result = await call();
  for (let attempt = 2; attempt <= SETUP_ATTEMPTS && !done.includes(result.status); attempt += 1) {
    if (![503, 504, 'timeout'].includes(result.status) && !String(result.status).startsWith('network')) return result;
    await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
    result = await call();
    if (doneAfterRetry.includes(result.status)) return result;
  }
  return result;
}

async function inBatches(count, concurrency, work) {
  const results = [];
  for (let start = 0; start < count; start += concurrency) {
    results.push(...(await Promise.all(Array.from({ length: Math.min(concurrency, count - start) }, (_, index) => work(start + index)))));
  }
  return results;
}

// --- set up ---------------------------------------------------------------------------------
const runId = randomUUID().slice(0, 8);
const expectedPayments = (mode === 'open' ? rate : clients * 50) * (seconds + warmupSeconds);
const paymentsPerUser = Math.ceil((expectedPayments * 1.2) / userCount);
console.error(`bench ${runId}: ${mode} loop, ${mode === 'open' ? `${rate}/s offered` : `${clients} clients`}, ${seconds} s after ${warmupSeconds} s of warm-up, ${userCount} user(s), provider ${latencyMinMs}-${latencyMaxMs} ms, ${gateways.length} gateway(s)`);
await setProviderLatency(latencyMinMs, latencyMaxMs);
const tokens = await inBatches(userCount, SETUP_CONCURRENCY, () => fundedUser(paymentsPerUser));
console.error(`bench ${runId}: ${tokens.length} user(s) funded; paying`);

// Sampled on a thread of its own (ProcessSamplerThread): the load generator's event loop only sends and times.
const processes = [
  ...['gateway', 'auth', 'wallet', 'billing'].flatMap((name) => instancesOf(name).map((instance) => ({ name: instance, instance }))),
  { name: 'provider-sim', instance: 'provider-sim' },
  { name: 'kafka', instance: 'kafka' },
  { name: 'schema-registry', instance: 'schema-registry' },
  { name: 'postgresql', shared: true, command: 'postgres' },
  // On the pay path: the gateway's session check and rate limit are a round trip to it.
  { name: 'redis', command: 'redis-server' },
  // The load generator shares the two cores too: what it takes is CPU the system did not get.
  { name: 'benchmark', pid: process.pid },
];

// --- load -----------------------------------------------------------------------------------
/**
 * Pays for `forSeconds` at the offered rate (open loop) or from the clients (closed loop), each
 * payment with a reference of its own under `referencePrefix`; returns each request's status and time.
 */
async function payFor(forSeconds, referencePrefix) {
  const outcomes = [];
  let inFlight = 0;
  let sequence = 0;
  async function payOnce() {
    const index = sequence++;
    if (inFlight >= MAX_IN_FLIGHT) {
      outcomes.push({ status: 'client-overload', ms: 0 });
      return;
    }
    inFlight += 1;
    const reference = `${referencePrefix}${index}`;
    const result = await request('POST', '/bills/pay', { provider: PROVIDER, meterNumber: SUCCEEDING_METER, amount, reference }, tokens[index % tokens.length]);
    inFlight -= 1;
    outcomes.push({ status: result.status, ms: result.ms });
  }
  const startedAt = performance.now();
  if (mode === 'open') {
    const pending = [];
    const total = rate * forSeconds;
    for (let index = 0; index < total; index += 1) {
      const wait = (index / rate) * 1000 - (performance.now() - startedAt);
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      pending.push(payOnce());
    }
    await Promise.all(pending);
  } else {
    const until = startedAt + forSeconds * 1000;
    await Promise.all(
      Array.from({ length: clients }, async () => {
        while (performance.now() < until) await payOnce();
      }),
    );
  }
  return outcomes;
}

/** How many of the payments whose reference starts with `referencePrefix` are still PENDING in the wallet. */
async function pendingPayments(walletClient, referencePrefix) {
  const { rows } = await walletClient.query(`SELECT count(*) AS n FROM wallet_transactions WHERE type = 'PAYMENT' AND status = 'PENDING' AND reference LIKE $1`, [`${referencePrefix}%`]);
  return Number(rows[0].n);
}

/** How many requests got each answer other than 202. */
function errorsByStatusOf(outcomes) {
  const errors = {};
  for (const { status } of outcomes) if (status !== 202) errors[status] = (errors[status] ?? 0) + 1;
  return errors;
}

/** Waits until none of those payments is PENDING, or DRAIN_TIMEOUT_MS; returns how many still are. */
async function awaitSettled(walletClient, referencePrefix) {
  const deadline = Date.now() + DRAIN_TIMEOUT_MS;
  let pending = await pendingPayments(walletClient, referencePrefix);
  while (pending > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    pending = await pendingPayments(walletClient, referencePrefix);
  }
  return pending;
}

const wallet = new pg.Client({ connectionString: databaseUrl(SERVICES.wallet.database) });
await wallet.connect();
let warmUp = null;
if (warmupSeconds > 0) {
  console.error(`bench ${runId}: warming up for ${warmupSeconds} s`);
  const warmupPrefix = `warmup-${runId}-`;
  const outcomes = await payFor(warmupSeconds, warmupPrefix);
  // The load starts on a settled system, so no backlog of the warm-up's is measured with it.
  const stillPendingAfterDrain = await awaitSettled(wallet, warmupPrefix);
  warmUp = { seconds: warmupSeconds, sent: outcomes.length, errorsByStatus: errorsByStatusOf(outcomes), stillPendingAfterDrain };
}
// After the warm-up, whose rows are dead tuples and new statistics to the planner.
await vacuumServiceDatabases();

const walAtStart = await walSoFar();
const sampler = new ProcessSamplerThread(processes);
await sampler.start();
const cpuPressure = new CpuPressure();
cpuPressure.start();
const waitsClient = values['sample-waits'] ? new pg.Client({ connectionString: infra.DATABASE_ADMIN_URL }) : undefined;
await waitsClient?.connect();
const waitSampler = waitsClient && new PostgresWaitSampler(waitsClient);
waitSampler?.start();
const loadStartedAt = new Date();
const t0 = performance.now();
const results = await payFor(seconds, `bench-${runId}-`);
const loadSeconds = (performance.now() - t0) / 1000;
const loadEndedAt = new Date();
const walAtEnd = await walSoFar();
const cpuStalledPercent = cpuPressure.stop();
const postgresqlWaits = await waitSampler?.stop();
await waitsClient?.end();

// --- drain and read the services' own timestamps ---------------------------------------------
const stillPending = await awaitSettled(wallet, `bench-${runId}-`);
const usage = await sampler.stop();
const { rows: settled } = await wallet.query(
  `SELECT status, extract(epoch FROM updated_at - created_at) * 1000 AS settle_ms, updated_at
     FROM wallet_transactions WHERE type = 'PAYMENT' AND reference LIKE $1`,
  [`bench-${runId}-%`],
);
await wallet.end();
const completed = settled.filter((row) => row.status === 'COMPLETED');
const completedInWindow = completed.filter((row) => row.updated_at >= loadStartedAt && row.updated_at <= loadEndedAt).length;
const lastCompletion = completed.reduce((latest, row) => (row.updated_at > latest ? row.updated_at : latest), loadStartedAt);

const accepted = results.filter((r) => r.status === 202);
const outcomes = {};
for (const row of settled) outcomes[row.status] = (outcomes[row.status] ?? 0) + 1;
if (stillPending > 0) outcomes.STILL_PENDING_AFTER_DRAIN = stillPending;

const report = {
  run: runId,
  date: new Date().toISOString(),
  settings: { mode, offeredPerSecond: mode === 'open' ? rate : null, clients: mode === 'closed' ? clients : null, seconds, warmupSeconds, users: userCount, hotWallet: values.hot, providerLatencyMs: [latencyMinMs, latencyMaxMs], amountMinor: amount, gateways: gateways.length },
  // Left out of every figure below; its errors are shown here, not hidden.
  warmUp,
  sent: results.length,
  acceptedPerSecond: Math.round(accepted.length / loadSeconds),
  completedPerSecondDuringLoad: Math.round(completedInWindow / loadSeconds),
  completedPerSecondToLastCompletion: Math.round(completed.length / ((lastCompletion - loadStartedAt) / 1000 || 1)),
  payTo202Ms: percentiles(accepted.map((r) => r.ms)),
  acceptedToCompletedMs: percentiles(completed.map((row) => Number(row.settle_ms))),
  errorsByStatus: errorsByStatusOf(results),
  paymentOutcomes: outcomes,
  // Share of the load's time some task on the machine waited for a core: a starved host shows here.
  cpuStalledPercent,
  postgresqlWal:
    accepted.length === 0
      ? null
      : {
          flushesPerAcceptedPayment: Number(((walAtEnd.flushes - walAtStart.flushes) / accepted.length).toFixed(2)),
          kibPerAcceptedPayment: Number(((walAtEnd.bytes - walAtStart.bytes) / 1024 / accepted.length).toFixed(1)),
        },
  ...(postgresqlWaits ? { postgresqlWaits } : {}),
  // CPU time per payment, load and drain together: what a payment costs at this run's rate, on this
  // machine. A cost that falls as the rate rises is work per wake-up (a batch, a fetch, a commit)
  // rather than per payment; docs/benchmarks.md (2026-12-06, late evening) shows one.
  cpuMsPerAcceptedPayment:
    accepted.length === 0
      ? null
      : {
          system: perAcceptedPayment(Object.entries(usage).filter(([name]) => name !== 'benchmark').reduce((sum, [, figures]) => sum + figures.cpuSeconds, 0) * 1000),
          benchmark: perAcceptedPayment((usage.benchmark?.cpuSeconds ?? 0) * 1000),
        },
  processes: Object.fromEntries(
    Object.entries(usage).map(([name, figures]) => [
      name,
      {
        ...figures,
        cpuMsPerAcceptedPayment: accepted.length === 0 ? null : perAcceptedPayment(figures.cpuSeconds * 1000),
        writeSyscallsPerAcceptedPayment: accepted.length === 0 ? null : perAcceptedPayment(figures.writeSyscalls),
      },
    ]),
  ),
};

/** `total` divided among the accepted payments, to two decimals. */
function perAcceptedPayment(total) {
  return Number((total / accepted.length).toFixed(2));
}

await setProviderLatency(0, 0);
const audit = execFileSync('node', [join(ROOT, 'dist/services/wallet/src/audit/main.js')], {
  env: { ...process.env, DATABASE_URL: databaseUrl(SERVICES.wallet.database) },
  encoding: 'utf8',
})
  .trim()
  .split('\n')
  .pop();
report.ledgerAudit = audit;

if (!values['no-limits']) {
  console.error(`bench ${runId}: measuring the limits beside us (pgbench, Kafka round trip)`);
  const pgbench = pgbenchInitiation(infra.DATABASE_ADMIN_URL, SERVICES.wallet.database);
  // As the local test identity (deploy/local/kafka/test-access.conf): the broker lets nobody in anonymously.
  const sasl = { mechanism: 'scram-sha-512', username: 'bvs-test', password: readFileSync(join(infra.KAFKA_CREDENTIALS_DIR, 'bvs-test'), 'utf8').trim() };
  const kafka = await kafkaRoundTrip(infra.KAFKA_BROKERS.split(','), sasl);
  report.limits = { pgbenchInitiation: pgbench, kafka };
  report.ratios = {
    completedPerSecondOfPgbenchInitiations: Number((report.completedPerSecondDuringLoad / pgbench.initiationsPerSecond).toFixed(3)),
    acceptedPerSecondOfPgbenchInitiations: Number((report.acceptedPerSecond / pgbench.initiationsPerSecond).toFixed(3)),
    acceptedToCompletedP50InKafkaRoundTrips:
      report.acceptedToCompletedMs.p50 === null ? null : Number((report.acceptedToCompletedMs.p50 / kafka.roundTripMs.p50).toFixed(1)),
  };
}
console.log(JSON.stringify(report, null, 2));
