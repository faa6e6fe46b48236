// The limits beside us, measured on the same PostgreSQL and broker as the purchase run: pgbench of
// the wallet's initiation SQL, and a raw kafkajs produce -> consume round trip. The purchase
// figures are printed as ratios of these, so a reader can tell pipeline overhead from a slow box.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { percentiles } from './stats.mjs';

// The services' fix for kafkajs's 1 ms polling of every idle connection (ADR 0001), from the build
// the benchmark already needs: the broker's round trip is measured with clients that behave as the
// services' do, and without the spin on the cores the round trip shares.
const { stopIdleRequestQueuePolling } = createRequire(import.meta.url)('../../../dist/libs/platform/src/kafka/request-queue-polling.js');
stopIdleRequestQueuePolling();

const HERE = new URL('.', import.meta.url).pathname;
const PGBENCH_WALLETS = 200;
const PGBENCH_CLIENTS = 16;
const PGBENCH_SECONDS = 15;
const ROUND_TRIPS = 500;
const THROUGHPUT_MESSAGES = 20_000;
const THROUGHPUT_BATCH = 100;
const CONSUME_TIMEOUT_MS = 60_000;
/** Declared for the local test identity in deploy/local/kafka/test-access.conf, kept an hour. */
const ROUND_TRIP_TOPIC = 'test.kafka-round-trip';

/**
 * Runs the initiation script against a scratch copy of the wallet's schema (never the live book:
 * its rows would break the ledger audit), then drops the copy.
 */
export function pgbenchInitiation(adminUrl, walletDatabase) {
  const scratch = `bvs_bench_pgbench_${process.pid}`;
  const server = adminUrl.replace(/\/[^/]*$/, '');
  const psql = (database, sql) => execFileSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', `${server}/${database}`, '-c', sql], { encoding: 'utf8' });
  psql('postgres', `CREATE DATABASE ${scratch}`);
  try {
    const schema = execFileSync('pg_dump', ['--schema-only', '--no-owner', `${server}/${walletDatabase}`], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    execFileSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', `${server}/${scratch}`], { input: schema, encoding: 'utf8' });
    const output = execFileSync(
      'pgbench',
      [
        '--no-vacuum',
        `--client=${PGBENCH_CLIENTS}`,
        '--jobs=2',
        `--time=${PGBENCH_SECONDS}`,
        `--define=wallets=${PGBENCH_WALLETS}`,
        `--file=${join(HERE, 'pgbench-initiation.sql')}`,
        `${server}/${scratch}`,
      ],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const tps = Number(/tps = ([\d.]+)/.exec(output)?.[1]);
    const latencyMs = Number(/latency average = ([\d.]+) ms/.exec(output)?.[1]);
    if (!Number.isFinite(tps)) throw new Error(`pgbench printed no tps:\n${output}`);
    return { initiationsPerSecond: Math.round(tps), averageLatencyMs: latencyMs, clients: PGBENCH_CLIENTS, wallets: PGBENCH_WALLETS, seconds: PGBENCH_SECONDS };
  } finally {
    psql('postgres', `DROP DATABASE IF EXISTS ${scratch}`);
  }
}

/**
 * One message at a time (acks from all replicas, as the outbox relay sends): produce -> consume
 * latency; then batches of THROUGHPUT_BATCH: how many a second get through.
 */
export async function kafkaRoundTrip(brokers, sasl) {
  const kafka = new Kafka({ clientId: `bench-limits-${process.pid}`, brokers, sasl, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  // The group starts at the topic's end: earlier runs' messages are not this run's to count.
  const groupId = `test-bench-limits-${randomUUID().slice(0, 8)}`;
  const ends = await admin.fetchTopicOffsets(ROUND_TRIP_TOPIC);
  await admin.setOffsets({ groupId, topic: ROUND_TRIP_TOPIC, partitions: ends.map(({ partition, high }) => ({ partition, offset: high })) });
  const topic = ROUND_TRIP_TOPIC;
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
  const waiting = new Map();
  let consumed = 0;
  let allConsumed;
  try {
    await producer.connect();
    await consumer.connect();
    await consumer.subscribe({ topics: [topic] });
    await consumer.run({
      eachMessage: async ({ message }) => {
        consumed += 1;
        waiting.get(message.key?.toString())?.();
        if (allConsumed && consumed >= allConsumed.target) allConsumed.resolve();
      },
    });
    const arrival = (key) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`message ${key} not consumed within ${CONSUME_TIMEOUT_MS} ms`)), CONSUME_TIMEOUT_MS);
        waiting.set(key, () => {
          clearTimeout(timer);
          waiting.delete(key);
          resolve();
        });
      });
    // The first message also waits out the group's join; it is not counted.
    await Promise.all([arrival('warm-up'), producer.send({ topic, acks: -1, messages: [{ key: 'warm-up', value: 'x' }] })]);
    const roundTrips = [];
    for (let index = 0; index < ROUND_TRIPS; index += 1) {
      const key = `rt-${index}`;
      const started = performance.now();
      await Promise.all([arrival(key), producer.send({ topic, acks: -1, messages: [{ key, value: 'x'.repeat(300) }] })]);
      roundTrips.push(performance.now() - started);
    }
    const target = consumed + THROUGHPUT_MESSAGES;
    const done = new Promise((resolve) => (allConsumed = { target, resolve }));
    const started = performance.now();
    for (let sent = 0; sent < THROUGHPUT_MESSAGES; sent += THROUGHPUT_BATCH) {
      const messages = Array.from({ length: THROUGHPUT_BATCH }, (_, index) => ({ key: `tp-${sent + index}`, value: 'x'.repeat(300) }));
      await producer.send({ topic, acks: -1, messages });
    }
    await done;
    const seconds = (performance.now() - started) / 1000;
    return {
      roundTripMs: percentiles(roundTrips),
      roundTrips: ROUND_TRIPS,
      batchedMessagesPerSecond: Math.round(THROUGHPUT_MESSAGES / seconds),
      batch: THROUGHPUT_BATCH,
    };
  } finally {
    await consumer.disconnect().catch(() => undefined);
    await producer.disconnect().catch(() => undefined);
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
  }
}
