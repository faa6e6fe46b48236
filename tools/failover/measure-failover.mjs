// Measures what a crash costs: drives a steady, open-loop stream of payments through the gateway
// of a running system (bash deploy/local/up.sh, or REPLICAS=2 ...), kills one instance of a
// service with SIGKILL mid-stream, restarts it when it was the only one, and reports the
// requests that failed, the longest gap without an accepted payment, and the time from the
// restarted instance reporting ready to the next accepted payment.
//
//   node tools/failover/measure-failover.mjs --service wallet [--rate 20] [--seconds 40]
//        [--kill-at 10] [--call pay|me]
// --call pay (the default) streams POST /bills/pay, which goes through wallet and billing;
// --call me streams GET /users/me, which goes through auth (a payment never calls auth).
// Requests go round-robin to every running gateway, as a layer-4 balancer would (apiClient in
// tools/lib/local-system.mjs): a refused connection goes to the next gateway, a request a gateway
// had accepted when it died counts as failed.
//
// Bounded: the stream stops after --seconds, at most --rate requests a second, each with a 10 s
// timeout. Only loopback addresses are called.
import { execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { openSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { apiClient, fundAndAwaitCredit, httpPortOf, instancesOf, pidOf, ROOT } from '../lib/local-system.mjs';

const REQUEST_TIMEOUT_MS = 10_000;
// Register and login are rate-limited per address (AUTH_RATE_LIMIT, 10 a minute by default):
// run the system with AUTH_RATE_LIMIT=1000 USER_RATE_LIMIT=1000000 bash deploy/local/up.sh for this tool
// (it pays many times a second as a few users, past the per-user limit).
const USERS = 10;
const MAX_RATE = 200;
const MAX_SECONDS = 300;

const { values } = parseArgs({
  options: {
    service: { type: 'string', default: 'wallet' },
    rate: { type: 'string', default: '20' },
    seconds: { type: 'string', default: '40' },
    'kill-at': { type: 'string', default: '10' },
    call: { type: 'string', default: 'pay' },
  },
});
const rate = Math.min(Number(values.rate), MAX_RATE);
const seconds = Math.min(Number(values.seconds), MAX_SECONDS);
const killAt = Number(values['kill-at']);
const service = values.service;
if (!['auth', 'wallet', 'billing', 'gateway'].includes(service)) throw new Error('--service must be auth, wallet, billing or gateway');
const streamed = values.call;
if (!['pay', 'me'].includes(streamed)) throw new Error('--call must be pay or me');
const SUCCESS = streamed === 'pay' ? 202 : 200;

const { gateways, request } = apiClient({ timeoutMs: REQUEST_TIMEOUT_MS, startHint: 'bash deploy/local/up.sh' });

async function fundedUser() {
  const email = `failover-${randomUUID()}@example.com`;
  const password = 'orange-Kettle-42';
  await request('POST', '/users/register', { email, password });
  const login = await request('POST', '/users/login', { email, password });
  if (login.status !== 200) throw new Error(`login failed with ${login.status}`);
  const token = login.body.accessToken;
  await fundAndAwaitCredit(request, token, 100_000_000, `fund-${randomUUID()}`);
  return token;
}

async function waitReady(port, path) {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    const ok = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(1_000) }).then((r) => r.ok, () => false);
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`port ${port} not ready within 120 s`);
}

const instances = instancesOf(service);
if (instances.length === 0) throw new Error(`no running ${service}: start the system with bash deploy/local/up.sh`);
const victim = instances[0];
const alone = instances.length === 1;
console.log(`${service}: ${instances.length} instance(s); killing ${victim} at ${killAt} s${alone ? ', then restarting it' : ''}`);

const tokens = await Promise.all(Array.from({ length: USERS }, fundedUser));
const results = [];
const t0 = performance.now();
const at = () => (performance.now() - t0) / 1000;
let killedAt;
let readyAt;

const killer = (async () => {
  await new Promise((resolve) => setTimeout(resolve, killAt * 1000));
  const [pid] = pidOf(victim);
  process.kill(pid, 'SIGKILL');
  killedAt = at();
  if (!alone) return;
  // The one instance comes back as up.sh starts it: same ports, same settings.
  const log = openSync(join(ROOT, '.infra/logs/failover-restart.log'), 'w');
  const child = spawn('bash', [join(ROOT, 'deploy/local/up.sh')], { env: { ...process.env, UP_SKIP_BUILD: '1' }, stdio: ['ignore', log, log] });
  const port = httpPortOf(service);
  await waitReady(port, service === 'gateway' ? '/api/health/ready' : '/health/ready');
  readyAt = at();
  await new Promise((resolve) => child.on('exit', resolve));
})();

const inFlight = [];
const total = Math.round(rate * seconds);
for (let index = 0; index < total; index += 1) {
  const due = (index / rate) * 1000;
  const wait = due - (performance.now() - t0);
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  const sentAt = at();
  const token = tokens[index % tokens.length];
  inFlight.push(
    (streamed === 'pay'
      ? request('POST', '/bills/pay', { provider: 'ikeja-electric-prepaid', meterNumber: '1111111111111', amount: 100_000, reference: `failover-${randomUUID()}` }, token)
      : request('GET', '/users/me', undefined, token)
    ).then((result) =>
      results.push({ sentAt, doneAt: at(), status: result.status, ms: result.ms }),
    ),
  );
}
await Promise.all(inFlight);
await killer;

const accepted = results.filter((r) => r.status === SUCCESS).sort((a, b) => a.doneAt - b.doneAt);
const failed = results.filter((r) => r.status !== SUCCESS);
const byStatus = {};
for (const r of failed) byStatus[r.status] = (byStatus[r.status] ?? 0) + 1;
let longestGap = 0;
for (let index = 1; index < accepted.length; index += 1) longestGap = Math.max(longestGap, accepted[index].doneAt - accepted[index - 1].doneAt);
const firstAfterKill = accepted.find((r) => r.sentAt >= killedAt);
const firstAfterReady = readyAt === undefined ? undefined : accepted.find((r) => r.sentAt >= readyAt);
const inFlightAtKill = results.filter((r) => r.sentAt <= killedAt && r.doneAt >= killedAt).length;
const report = {
  service,
  call: streamed,
  instances: instances.length,
  gateways: gateways.length,
  offeredPerSecond: rate,
  seconds,
  sent: results.length,
  accepted: accepted.length,
  failed: failed.length,
  failedByStatus: byStatus,
  inFlightAtKill,
  failedSentAfterKill: failed.filter((r) => r.sentAt > killedAt).length,
  killedAtSeconds: Number(killedAt.toFixed(2)),
  restartedReadyAtSeconds: readyAt === undefined ? null : Number(readyAt.toFixed(2)),
  secondsFromReadyToNextAccepted: firstAfterReady ? Number((firstAfterReady.doneAt - readyAt).toFixed(2)) : null,
  secondsFromKillToNextAccepted: firstAfterKill ? Number((firstAfterKill.doneAt - killedAt).toFixed(2)) : null,
  longestGapWithoutAcceptedSeconds: Number(longestGap.toFixed(2)),
};
console.log(JSON.stringify(report, null, 2));
const audit = execFileSync('node', [join(ROOT, 'dist/services/wallet/src/audit/main.js')], {
  env: { ...process.env, DATABASE_URL: process.env.WALLET_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/bvs_wallet' },
  encoding: 'utf8',
}).trim();
console.log(`ledger audit: ${audit.split('\n').pop()}`);
// Wallet and billing against each other once the stream has drained (nothing pending beyond a minute).
const { checkBooks } = createRequire(import.meta.url)(join(ROOT, 'dist/libs/platform/src/testing/books-check.js'));
const databaseBase = (process.env.WALLET_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/bvs_wallet').replace(/\/[^/]+$/, '');
const books = await checkBooks(`${databaseBase}/bvs_wallet`, `${databaseBase}/bvs_billing`, { pendingWindowSeconds: 60 });
console.log(`books: ${JSON.stringify(books.figures)}; ${books.findings.length} finding(s)`);
for (const finding of books.findings) console.log(`  ${finding.check}: ${finding.detail}`);
if (books.findings.length > 0) process.exitCode = 1;
