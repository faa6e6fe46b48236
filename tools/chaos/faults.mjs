// The faults the chaos suite injects into a system run by deploy/local/up.sh. Each fault has
// inject() and heal(); a fault that ends by itself (a restart, a replay) heals with nothing to do.
// Every fault acts only on this checkout's processes and the machine's local PostgreSQL.
import { execFile, spawn } from 'node:child_process';
import { existsSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { httpPortOf, pidOf, ROOT } from '../lib/local-system.mjs';

const run = promisify(execFile);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Must match OUTBOX_RELAY_LOCK_KEY (libs/platform/src/messaging/messaging-constants.ts). */
const OUTBOX_RELAY_LOCK_KEY = 7_317_002;
/** How long a relay fault waits for unpublished rows (a batch in flight) before it kills anyway. */
const MID_BATCH_WAIT_MS = 5_000;
/** How many of a topic's latest messages a replay sends again, in reverse order. */
const REPLAY_MESSAGES = 200;
/** The databases whose connections a cut refuses: every service's and the registry's. */
const CUT_DATABASES = ['bvs_auth', 'bvs_wallet', 'bvs_billing', 'bvs_provider_sim', 'bvs_registry'];
const RESTART_TIMEOUT_MS = 180_000;
/** A fault that reads PostgreSQL while another fault has it away (a restart, a cut) waits this long for it. */
const DATABASE_WAIT_MS = 60_000;

/** Runs `work` until it succeeds or DATABASE_WAIT_MS pass: in a pair, the other fault may have the database away. */
async function whenDatabaseAnswers(work) {
  const deadline = Date.now() + DATABASE_WAIT_MS;
  for (;;) {
    try {
      return await work();
    } catch (error) {
      if (Date.now() >= deadline) throw error;
      await sleep(500);
    }
  }
}

/** One restart at a time: up.sh starts every missing instance, so two at once would both start the same one. */
let restarts = Promise.resolve();

/** Starts the instances that are not running (the killed one), leaving infrastructure as the fault left it. */
function restartMissingInstances(context, label) {
  const restart = restarts.then(() => startMissingInstances(context, label));
  restarts = restart.catch(() => undefined);
  return restart;
}

async function startMissingInstances(context, label) {
  const log = openSync(join(ROOT, `.infra/logs/chaos-restart-${label}.log`), 'a');
  const child = spawn('bash', [join(ROOT, 'deploy/local/up.sh')], {
    env: { ...process.env, ...context.systemEnv, REPLICAS: String(context.replicas), UP_SKIP_BUILD: '1', UP_SKIP_INFRA: '1', SERVICE_READY_TIMEOUT: String(RESTART_TIMEOUT_MS / 1000) },
    stdio: ['ignore', log, log],
  });
  const code = await new Promise((resolve) => child.on('exit', resolve));
  if (code !== 0) throw new Error(`restarting ${label} failed (exit ${code}); see .infra/logs/chaos-restart-${label}.log`);
}

function killInstance(instance) {
  const [pid] = pidOf(instance);
  if (pid === undefined) throw new Error(`${instance} has no pid file`);
  try {
    process.kill(pid, 'SIGKILL');
  } catch (error) {
    // In a pair, the other fault may have killed this very process (the relay's holder) a moment ago.
    if (error.code !== 'ESRCH') throw error;
  }
  return pid;
}

/** kill -9 of one service instance; healed by starting it again as up.sh does. */
export function killFault(instance, { holdMs = 3_000 } = {}) {
  return {
    name: `kill -9 ${instance}`,
    kind: 'kill',
    target: instance,
    async inject() {
      killInstance(instance);
      await sleep(holdMs);
    },
    async heal(context) {
      await restartMissingInstances(context, instance);
    },
  };
}

/** The instance whose session holds the outbox relay's advisory lock on a database, found by its socket. */
function relayHolder(context, database) {
  return whenDatabaseAnswers(() => findRelayHolder(context, database));
}

async function findRelayHolder(context, database) {
  const client = new pg.Client({ connectionString: context.databaseUrl(database) });
  await client.connect();
  try {
    const { rows } = await client.query(
      `SELECT a.client_port FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
        WHERE l.locktype = 'advisory' AND l.objid = $1 AND l.granted AND a.datname = $2`,
      [OUTBOX_RELAY_LOCK_KEY, database],
    );
    if (rows.length === 0) return undefined;
    const { stdout } = await run('ss', ['-tnpH', 'state', 'established', `( sport = :${rows[0].client_port} )`]);
    const pid = Number(/pid=(\d+)/.exec(stdout)?.[1]);
    const instances = readdirSync(join(ROOT, '.infra/run'))
      .filter((file) => file.endsWith('.pid'))
      .map((file) => file.slice(0, -4));
    return instances.find((instance) => pidOf(instance)[0] === pid);
  } finally {
    await client.end();
  }
}

function unpublishedRows(context, database) {
  return whenDatabaseAnswers(() => countUnpublishedRows(context, database));
}

async function countUnpublishedRows(context, database) {
  const client = new pg.Client({ connectionString: context.databaseUrl(database) });
  await client.connect();
  try {
    return Number((await client.query('SELECT count(*) AS n FROM outbox WHERE published_at IS NULL')).rows[0].n);
  } finally {
    await client.end();
  }
}

/** kill -9 of whichever instance runs a database's outbox relay, while rows wait to be published. */
export function relayFault(service) {
  const database = `bvs_${service}`;
  let victim;
  return {
    name: `kill -9 the ${service} outbox relay mid-batch`,
    kind: 'relay',
    target: service,
    async inject(context) {
      victim = await relayHolder(context, database);
      if (victim === undefined) throw new Error(`no instance holds the ${service} outbox relay lock`);
      const deadline = Date.now() + MID_BATCH_WAIT_MS;
      while (Date.now() < deadline && (await unpublishedRows(context, database)) === 0) await sleep(5);
      this.target = victim;
      killInstance(victim);
      await sleep(2_000);
    },
    async heal(context) {
      await restartMissingInstances(context, victim);
    },
  };
}

function infra(command, part) {
  return run('bash', [join(ROOT, 'deploy/local/infra.sh'), command, part], { maxBuffer: 1 << 20 });
}

/** kill -9 of the Kafka broker, then the same broker started again on its data. */
export function brokerFault({ holdMs = 5_000 } = {}) {
  return {
    name: 'kill -9 the Kafka broker',
    kind: 'broker',
    target: 'kafka',
    async inject() {
      killInstance('kafka');
      await sleep(holdMs);
    },
    async heal() {
      await infra('start', 'kafka');
    },
  };
}

/** The schema registry stopped, then started again. */
export function registryFault({ holdMs = 15_000 } = {}) {
  return {
    name: 'schema registry stopped',
    kind: 'registry',
    target: 'schema-registry',
    async inject() {
      await infra('stop', 'schema-registry');
      await sleep(holdMs);
    },
    async heal() {
      await infra('start', 'schema-registry');
    },
  };
}

/** The machine's PostgreSQL cluster (pg_ctlcluster): present only where PostgreSQL is local. */
export function localPostgresCluster() {
  if (!existsSync('/etc/postgresql')) return undefined;
  const [version] = readdirSync('/etc/postgresql');
  return version === undefined ? undefined : { version, name: 'main' };
}

/** A restart of PostgreSQL itself: every connection drops, and the server is back a moment later. */
export function postgresRestartFault() {
  return {
    name: 'PostgreSQL restarted',
    kind: 'pg-restart',
    target: 'postgresql',
    async inject() {
      const cluster = localPostgresCluster();
      if (cluster === undefined) throw new Error('PostgreSQL is not local: pg_ctlcluster cannot restart it');
      await run('pg_ctlcluster', ['--skip-systemctl-redirect', cluster.version, cluster.name, 'restart', '-m', 'fast']);
    },
    async heal() {},
  };
}

/**
 * Every connection to the system's databases cut for `holdMs`: new connections are refused
 * (ALLOW_CONNECTIONS false) and the open ones terminated, as a network partition from the
 * database would look to the services; then connections are allowed again.
 */
export function connectionCutFault({ holdMs = 10_000 } = {}) {
  const alter = (context, allow) => whenDatabaseAnswers(() => alterAll(context, allow));
  const alterAll = async (context, allow) => {
    const admin = new pg.Client({ connectionString: context.databaseUrl('postgres') });
    await admin.connect();
    try {
      for (const database of CUT_DATABASES) await admin.query(`ALTER DATABASE ${database} WITH ALLOW_CONNECTIONS ${allow}`);
      if (!allow) await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = ANY($1)', [CUT_DATABASES]);
    } finally {
      await admin.end();
    }
  };
  return {
    name: `every database connection cut for ${holdMs / 1000} s`,
    kind: 'pg-cut',
    target: 'postgresql',
    async inject(context) {
      await alter(context, false);
      await sleep(holdMs);
    },
    async heal(context) {
      await alter(context, true);
    },
  };
}

/** The provider misbehaving as real vending APIs do: definite failures, timeouts, pending-then-success, slow answers. */
export function providerFault({ holdMs = 15_000 } = {}) {
  const admin = (context, method, path, body) =>
    fetch(`http://127.0.0.1:${httpPortOf('provider-sim')}${path}`, {
      method,
      headers: { authorization: `Bearer ${context.simulatorAdminToken}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(5_000),
    }).then(async (response) => {
      if (!response.ok) throw new Error(`provider admin ${path} answered ${response.status}: ${await response.text()}`);
    });
  return {
    name: 'provider: 30% failures, 20% timeouts, 20% pending, slow',
    kind: 'provider',
    target: 'provider-sim',
    async inject(context) {
      await admin(context, 'PUT', '/admin/behaviour', {
        failureRate: 0.3,
        timeoutRate: 0.2,
        pendingRate: 0.2,
        latencyMinMs: 200,
        latencyMaxMs: 1_500,
        timeoutDelayMs: 8_000,
        pendingResolveAfterMs: 5_000,
      });
      await sleep(holdMs);
    },
    async heal(context) {
      await admin(context, 'POST', '/admin/reset');
    },
  };
}

/**
 * Events delivered twice and out of order: the latest REPLAY_MESSAGES of each topic, read with
 * the admin identity and sent again newest first, keys and headers unchanged. Consumers must
 * apply each event once (the inbox) whatever the order.
 *
 * Paired with a fault that has the broker away, nothing can be replayed until it is back: the
 * replay then happens while that fault heals, as soon as the broker takes it (within
 * BROKER_WAIT_MS), as a replaying producer's own retries would deliver it.
 */
export function replayFault(topics) {
  return {
    name: `replay of ${topics.join(', ')} (twice, out of order)`,
    kind: 'replay',
    target: topics.join(','),
    deferredUntilBrokerBack: false,
    async inject(context) {
      try {
        this.replayed = await replayLatest(context.adminKafka(), topics);
      } catch (error) {
        if (!isBrokerAway(error)) throw error;
        this.deferredUntilBrokerBack = true;
      }
    },
    async heal(context) {
      if (!this.deferredUntilBrokerBack) return;
      const deadline = Date.now() + BROKER_WAIT_MS;
      for (;;) {
        try {
          this.replayed = await replayLatest(context.adminKafka(), topics);
          return;
        } catch (error) {
          if (!isBrokerAway(error) || Date.now() >= deadline) throw error;
          await sleep(1_000);
        }
      }
    },
  };
}

/** A replay deferred by a broker outage gives up if the broker is not back this long after the heal began. */
const BROKER_WAIT_MS = 120_000;

/** Whether kafkajs failed because no broker answered (anywhere in the error's causes). */
function isBrokerAway(error) {
  for (let current = error; current; current = current.cause) {
    if (/Connection|BrokerNotFound|NumberOfRetriesExceeded/.test(String(current.name)) || current.code === 'ECONNREFUSED') return true;
  }
  return false;
}

/** Reads the latest messages of each topic and sends them again, newest first; returns how many. */
async function replayLatest(kafka, topics) {
  const admin = kafka.admin();
  await admin.connect();
  const ranges = [];
  try {
    for (const topic of topics) {
      const offsets = await admin.fetchTopicOffsets(topic);
      const perPartition = Math.ceil(REPLAY_MESSAGES / offsets.length);
      for (const { partition, low, high } of offsets) {
        const from = BigInt(high) - BigInt(perPartition) > BigInt(low) ? BigInt(high) - BigInt(perPartition) : BigInt(low);
        if (BigInt(high) > from) ranges.push({ topic, partition, from, end: BigInt(high) });
      }
    }
  } finally {
    await admin.disconnect();
  }
  const messages = await readRanges(kafka, ranges);
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    for (const { topic, message } of messages.reverse()) {
      await producer.send({ topic, acks: -1, messages: [{ key: message.key, value: message.value, headers: message.headers }] });
    }
  } finally {
    await producer.disconnect();
  }
  return messages.length;
}

const READ_RANGES_TIMEOUT_MS = 30_000;

/** The messages of each [from, end) range, read by a throwaway group that commits nothing. */
async function readRanges(kafka, ranges) {
  const messages = [];
  if (ranges.length === 0) return messages;
  const remaining = new Map(ranges.map((range) => [`${range.topic}:${range.partition}`, range]));
  const consumer = kafka.consumer({ groupId: `chaos-replay-${Date.now()}`, maxWaitTimeInMs: 200 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [...new Set(ranges.map((range) => range.topic))] });
    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`replay ranges not read within ${READ_RANGES_TIMEOUT_MS} ms`)), READ_RANGES_TIMEOUT_MS);
      void consumer.run({
        autoCommit: false,
        eachMessage: async ({ topic, partition, message }) => {
          const range = remaining.get(`${topic}:${partition}`);
          if (range === undefined || BigInt(message.offset) < range.from) return;
          if (BigInt(message.offset) < range.end) messages.push({ topic, message });
          if (BigInt(message.offset) + 1n >= range.end) remaining.delete(`${topic}:${partition}`);
          if (remaining.size === 0) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
      for (const range of ranges) consumer.seek({ topic: range.topic, partition: range.partition, offset: String(range.from) });
    });
  } finally {
    await consumer.disconnect();
  }
  return messages;
}

/** A kafkajs client as the admin identity (the only one that may read and write every topic). */
export function adminKafka(brokers, credentialsDir) {
  return new Kafka({
    clientId: 'bvs-chaos',
    brokers: brokers.split(','),
    sasl: { mechanism: 'scram-sha-512', username: 'bvs-admin', password: readFileSync(join(credentialsDir, 'bvs-admin'), 'utf8').trim() },
    logLevel: logLevel.NOTHING,
  });
}
