// The chaos suite (`npm run chaos`): the whole system with two instances of each service, a mixed
// load of retrying clients at a fixed rate, and one fault after another (then overlapping pairs),
// with the books judged after each fault once the system has drained, and the clients' own
// outcomes read back at the end. It prints, per fault, the requests refused (which, and with
// what), the longest gap without an accepted payment, the time from the fault healing to the
// next accepted payment and to the next completed one, and what the books say. docs/reliability.md
// records the figures.
//
//   npm run chaos -- [--profile short|full] [--rate 15] [--users 40] [--faults kill,provider,...]
//        [--no-start] [--keep]
//
// --profile short (CI, about 10 minutes): one fault of each kind, and two overlapping pairs.
// --profile full (on demand, about an hour): every service instance killed in turn, every kind of
// fault alone, then every pair of kinds overlapping.
// --faults keeps only the episodes whose faults are all of the kinds listed (kill, relay, broker,
// registry, pg-restart, pg-cut, provider, replay).
// --no-start uses a system already running (REPLICAS=2 ... bash deploy/local/up.sh); otherwise
// the suite starts one and stops its services at the end (--keep leaves them running).
//
// Exits 1 if any fault loses or invents money, leaves a payment pending, parks a dead letter
// without an alert, answers a request with a server error other than 502/503/504 (which clients
// send again), or leaves a client's reference without exactly one readable outcome; and 2
// if a fault could not be injected or the system did not recover. Timings are reported, never
// asserted. Only loopback addresses and this checkout's processes are touched.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { httpPortOf, instancesOf, ROOT } from '../lib/local-system.mjs';
import { awaitDrained, judgeMoney, takeBaseline } from './books.mjs';
import { adminKafka, brokerFault, connectionCutFault, killFault, localPostgresCluster, postgresRestartFault, providerFault, registryFault, relayFault, replayFault } from './faults.mjs';
import { ChaosLoad, isRetryable } from './load.mjs';
import { explainServerErrors } from './server-errors.mjs';

const REPLICAS = 2;
/** The load runs this long before each fault, and this long after the system has recovered. */
const WARMUP_MS = 3_000;
const COOLDOWN_MS = 3_000;
/** In a pair, the second fault starts this long after the first. */
const PAIR_STAGGER_MS = 2_000;
/** Past this after healing with no accepted payment, the system did not recover: the run stops. */
const RECOVERY_TIMEOUT_MS = 120_000;
/** Past this after the load pauses, payments still PENDING fail the run. */
const DRAIN_TIMEOUT_MS = 240_000;
const READ_BACK_TIMEOUT_MS = 240_000;
const MAX_RATE = 100;
const MAX_USERS = 1_000;
const EVENT_TOPICS_REPLAYED = ['wallet.payment-requested.v1', 'billing.payment-completed.v1', 'billing.payment-failed.v1'];

const { values } = parseArgs({
  options: {
    profile: { type: 'string', default: 'full' },
    rate: { type: 'string' },
    users: { type: 'string' },
    'no-start': { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    faults: { type: 'string' },
  },
});
const profile = values.profile;
if (!['short', 'full'].includes(profile)) throw new Error('--profile must be short or full');
const rate = Math.min(Number(values.rate ?? (profile === 'short' ? 15 : 20)), MAX_RATE);
const users = Math.min(Number(values.users ?? (profile === 'short' ? 40 : 200)), MAX_USERS);
if (!(rate > 0) || !Number.isInteger(users) || users < 1) throw new Error('--rate must be positive and --users a positive integer');

// Registering and paying are limited per address and per user; the load is a few clients paying
// many times a second. A consumer group the run creates starts at the topics' end: on a machine
// where the test suites just ran, the topics hold their systems' events, which are not this run's.
const systemEnv = { AUTH_RATE_LIMIT: '10000', USER_RATE_LIMIT: '1000000', KAFKA_NEW_GROUP_STARTS_AT: 'latest' };
if (!values['no-start']) {
  console.log(`starting the system with ${REPLICAS} instances of each service`);
  // A checkout already built (npm test builds first) starts without installing or building again.
  const built = ['auth', 'wallet', 'billing', 'gateway', 'provider-sim'].every((service) => existsSync(join(ROOT, `dist/services/${service}/src/main.js`)));
  const up = spawnSync('bash', [join(ROOT, 'deploy/local/up.sh')], {
    env: { ...process.env, ...systemEnv, REPLICAS: String(REPLICAS), ...(built ? { UP_SKIP_BUILD: '1' } : {}) },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (up.status !== 0) {
    // Whatever did start must not outlive the run: the next start would find its ports taken.
    spawnSync('bash', [join(ROOT, 'deploy/local/down.sh'), 'services'], { stdio: 'inherit' });
    process.exit(2);
  }
}
for (const service of ['auth', 'wallet', 'billing', 'gateway']) {
  if (instancesOf(service).length !== REPLICAS) throw new Error(`${service} runs ${instancesOf(service).length} instance(s); the suite needs ${REPLICAS} (REPLICAS=${REPLICAS} bash deploy/local/up.sh)`);
}

const infra = Object.fromEntries(
  execFileSync('bash', [join(ROOT, 'deploy/local/infra.sh'), 'env'], { encoding: 'utf8' })
    .split('\n')
    .map((line) => /^export ([A-Z_]+)=["']?(.*?)["']?$/.exec(line))
    .filter(Boolean)
    .map((match) => [match[1], match[2]]),
);
const context = {
  replicas: REPLICAS,
  systemEnv,
  databaseUrl: (database) => `${infra.DATABASE_ADMIN_URL.replace(/\/[^/]*$/, '')}/${database}`,
  adminKafka: () => adminKafka(infra.KAFKA_BROKERS, infra.KAFKA_CREDENTIALS_DIR),
  simulatorAdminToken: readFileSync(join(ROOT, '.infra/provider-sim-admin-token'), 'utf8').trim(),
};

/** The faults of a profile: single ones, then pairs (started PAIR_STAGGER_MS apart, healed together). */
function episodes() {
  const postgresLocal = localPostgresCluster() !== undefined;
  const replay = () => replayFault(EVENT_TOPICS_REPLAYED);
  if (profile === 'short') {
    return [
      [killFault('wallet')],
      [killFault('gateway-2')],
      [relayFault('billing')],
      [brokerFault()],
      [registryFault({ holdMs: 10_000 })],
      ...(postgresLocal ? [[postgresRestartFault()]] : []),
      [connectionCutFault()],
      [providerFault({ holdMs: 10_000 })],
      [replay()],
      [brokerFault(), killFault('billing-2')],
      [connectionCutFault(), providerFault({ holdMs: 10_000 })],
    ];
  }
  const instances = ['auth', 'wallet', 'billing', 'gateway'].flatMap((service) => [service, `${service}-2`]).concat('provider-sim');
  const kinds = {
    kill: (index) => killFault(instances[index % (instances.length - 1)]),
    relay: (index) => relayFault(index % 2 === 0 ? 'wallet' : 'billing'),
    broker: () => brokerFault(),
    registry: () => registryFault(),
    ...(postgresLocal ? { 'pg-restart': () => postgresRestartFault() } : {}),
    'pg-cut': () => connectionCutFault(),
    provider: () => providerFault(),
    replay: () => replay(),
  };
  const singles = [...instances.map((instance) => [killFault(instance)]), [relayFault('wallet')], [relayFault('billing')], ...Object.entries(kinds).filter(([kind]) => kind !== 'kill' && kind !== 'relay').map(([, make]) => [make(0)])];
  const names = Object.keys(kinds);
  const pairs = [];
  for (let first = 0; first < names.length; first += 1) {
    for (let second = first + 1; second < names.length; second += 1) pairs.push([kinds[names[first]](pairs.length), kinds[names[second]](pairs.length + 1)]);
  }
  return [...singles, ...pairs];
}

const FAULT_KINDS = ['kill', 'relay', 'broker', 'registry', 'pg-restart', 'pg-cut', 'provider', 'replay'];
const onlyKinds = values.faults?.split(',');
for (const kind of onlyKinds ?? []) if (!FAULT_KINDS.includes(kind)) throw new Error(`--faults: unknown kind ${kind} (one of ${FAULT_KINDS.join(', ')})`);
const selectedEpisodes = () => episodes().filter((faults) => onlyKinds === undefined || faults.every((fault) => onlyKinds.includes(fault.kind)));

const runStartedAt = new Date();
const clock = () => (Date.now() - runStartedAt.getTime()) / 1000;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const gateways = instancesOf('gateway').map((_, k) => `http://127.0.0.1:${httpPortOf('gateway', k)}/api`);
const load = new ChaosLoad({ gateways, rate, users, clock });

async function firstCompletionAfter(wallClock) {
  const client = new pg.Client({ connectionString: context.databaseUrl('bvs_wallet') });
  await client.connect();
  try {
    const { rows } = await client.query(`SELECT min(updated_at) AS at FROM wallet_transactions WHERE type = 'PAYMENT' AND status = 'COMPLETED' AND updated_at >= $1`, [wallClock]);
    return rows[0].at === null ? undefined : (rows[0].at.getTime() - wallClock.getTime()) / 1000;
  } finally {
    await client.end();
  }
}

async function waitUntil(condition, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() >= deadline) return false;
    await sleep(100);
  }
  return true;
}

const round = (seconds) => (seconds === undefined ? null : Number(seconds.toFixed(2)));

/** Runs one episode and answers its figures; throws only when the system did not recover. */
async function episode(faults, baseline) {
  const name = faults.map((fault) => fault.name).join(' + ');
  console.log(`\n== ${name}`);
  load.resume();
  await sleep(WARMUP_MS);
  const injectedAt = clock();
  const inFlightAtInjection = load.inFlight.size;
  await Promise.all(faults.map((fault, index) => sleep(index * PAIR_STAGGER_MS).then(() => fault.inject(context))));
  const healStartedAt = clock();
  await Promise.all(faults.map((fault) => fault.heal(context)));
  const healedAt = clock();
  const healedWallClock = new Date(runStartedAt.getTime() + healedAt * 1000);
  const recovered = await waitUntil(() => load.attempts.some((attempt) => attempt.op === 'pay' && attempt.sentAt >= healedAt && attempt.status === 202), RECOVERY_TIMEOUT_MS);
  if (!recovered) throw new Error(`${name}: no payment accepted within ${RECOVERY_TIMEOUT_MS / 1000} s of healing`);
  await sleep(COOLDOWN_MS);
  const endedAt = clock();
  await load.pause();
  const drainSeconds = await awaitDrained(context, runStartedAt, DRAIN_TIMEOUT_MS);
  const money = await judgeMoney(context, baseline);

  const during = load.attempts.filter((attempt) => attempt.sentAt >= injectedAt && attempt.sentAt <= endedAt);
  const refused = {};
  for (const attempt of during.filter((one) => isRetryable(one.status) || (typeof one.status === 'number' && one.status >= 500))) {
    const key = `${attempt.op} ${attempt.status}`;
    refused[key] = (refused[key] ?? 0) + 1;
  }
  const accepted = during.filter((attempt) => attempt.op === 'pay' && attempt.status === 202).sort((one, other) => one.doneAt - other.doneAt);
  let longestGap = accepted.length > 0 ? accepted[0].doneAt - injectedAt : endedAt - injectedAt;
  for (let index = 1; index < accepted.length; index += 1) longestGap = Math.max(longestGap, accepted[index].doneAt - accepted[index - 1].doneAt);
  const firstAcceptedAfterHeal = accepted.find((attempt) => attempt.sentAt >= healedAt);
  const result = {
    fault: name,
    targets: faults.map((fault) => fault.target),
    injectedAtSeconds: round(injectedAt),
    heldSeconds: round(healStartedAt - injectedAt),
    healSeconds: round(healedAt - healStartedAt),
    requestsInFlightAtInjection: inFlightAtInjection,
    attempts: during.length,
    refused,
    refusedTotal: Object.values(refused).reduce((sum, count) => sum + count, 0),
    longestGapWithoutAcceptedPaymentSeconds: round(longestGap),
    healedToNextAcceptedPaymentSeconds: round(firstAcceptedAfterHeal && firstAcceptedAfterHeal.doneAt - healedAt),
    healedToNextCompletedPaymentSeconds: round(await firstCompletionAfter(healedWallClock)),
    drainSeconds: round(drainSeconds),
    replayedMessages: faults.reduce((sum, fault) => sum + (fault.replayed ?? 0), 0) || undefined,
    deadLettersParkedSinceStart: money.deadLettersParked,
    books: money.figures,
    // A fault may refuse a request only in a way its client can act on (503/504, sent again with the
    // same reference); any other server error leaves the client not knowing what became of it.
    findings: [
      ...money.findings,
      ...Object.entries(refused)
        .filter(([key]) => /^\d+$/.test(key.slice(key.indexOf(' ') + 1)) && !isRetryable(Number(key.slice(key.indexOf(' ') + 1))))
        .map(([key, count]) => `answered ${count} × ${key}: a server error the client cannot retry`),
    ],
  };
  console.log(JSON.stringify(result));
  return result;
}

const baseline = await takeBaseline(context);
console.log(`setting up ${users} users and a hot wallet`);
await load.setUp({ hotFundings: profile === 'short' ? 2 : 10 });
const results = [];
let failure;
try {
  for (const faults of selectedEpisodes()) results.push(await episode(faults, baseline));
} catch (error) {
  failure = error;
  console.error(`the run stopped: ${error.stack ?? error}`);
}
await load.pause().catch((error) => console.error(String(error)));

const final = failure === undefined ? await judgeMoney(context, baseline) : undefined;
const readBack = failure === undefined ? await load.readBackOutcomes(READ_BACK_TIMEOUT_MS) : undefined;
const outcomeCounts = {};
for (const { op, outcome } of readBack?.outcomes.values() ?? []) outcomeCounts[`${op} ${outcome}`] = (outcomeCounts[`${op} ${outcome}`] ?? 0) + 1;
const report = {
  profile,
  offeredPerSecond: rate,
  users,
  startedAt: runStartedAt.toISOString(),
  seconds: round(clock()),
  episodes: results,
  clientReferences: load.references.size,
  clientOutcomes: outcomeCounts,
  clientProblems: readBack?.problems ?? [],
  clientOverloaded: load.overloaded,
  finalBooks: final?.figures,
  finalFindings: final?.findings ?? [],
  stoppedBy: failure === undefined ? null : String(failure.message ?? failure),
};
mkdirSync(join(ROOT, '.infra/chaos'), { recursive: true });
const reportFile = join(ROOT, `.infra/chaos/report-${runStartedAt.toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(reportFile, `${JSON.stringify(report, null, 2)}\n`);

console.log('\n| fault | refused (which) | longest gap without an accepted payment | healed -> next accepted | healed -> next completed | books |');
console.log('|---|---|---:|---:|---:|---|');
for (const result of results) {
  const which = Object.entries(result.refused).map(([key, count]) => `${count} × ${key}`).join(', ') || 'none';
  console.log(`| ${result.fault} | ${which} | ${result.longestGapWithoutAcceptedPaymentSeconds} s | ${result.healedToNextAcceptedPaymentSeconds} s | ${result.healedToNextCompletedPaymentSeconds ?? '–'} s | ${result.findings.length === 0 ? 'clean' : `${result.findings.length} finding(s)`} |`);
}
const moneyFindings = [...results.flatMap((result) => result.findings), ...report.finalFindings];
console.log(`\nclients: ${report.clientReferences} references, outcomes ${JSON.stringify(outcomeCounts)}, ${report.clientProblems.length} problem(s)`);
for (const problem of report.clientProblems.slice(0, 20)) console.log(`  ${problem}`);
for (const finding of moneyFindings.slice(0, 20)) console.log(`  finding: ${finding}`);
const serverErrors = explainServerErrors(load.attempts.map((attempt) => attempt.requestId), runStartedAt);
if (serverErrors.length > 0) console.log(`\nwhat the services logged about the server errors:\n${serverErrors.join('\n')}`);
console.log(`final books: ${JSON.stringify(report.finalBooks)}\nreport: ${reportFile}`);

if (!values['no-start'] && !values.keep) spawnSync('bash', [join(ROOT, 'deploy/local/down.sh'), 'services'], { stdio: 'inherit' });
process.exitCode = failure !== undefined ? 2 : moneyFindings.length > 0 || report.clientProblems.length > 0 ? 1 : 0;
