// The chaos suite's judgement of the money, once the system has drained after a fault (issue 12,
// point 3): the wallet's ledger audit, wallet and billing against each other (checkBooks), and
// every dead letter parked since the run began matched by its DEAD_LETTER alert in the anomalies
// table of the service that parked it. Findings already present when the run began (a developer's
// database is not fresh) are reported apart and do not fail the run.
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { ROOT } from '../lib/local-system.mjs';

const run = promisify(execFile);
const { checkBooks } = createRequire(import.meta.url)(join(ROOT, 'dist/libs/platform/src/testing/books-check.js'));
const { ALL_EVENT_TOPICS, deadLetterTopicOf } = createRequire(import.meta.url)(join(ROOT, 'dist/libs/contracts/src/index.js'));

/** A payment or bill still PENDING this long after it was made is a finding (the reconciliation window). */
export const PENDING_WINDOW_SECONDS = 180;
const DRAIN_POLL_MS = 500;
const READ_DEAD_LETTERS_TIMEOUT_MS = 30_000;
/** Which database holds the anomalies of a consumer group, by the group's name (deploy/kafka/access.conf names them). */
const DATABASE_OF_GROUP = [
  [/^wallet-/, 'bvs_wallet'],
  [/^billing-/, 'bvs_billing'],
  [/^auth-/, 'bvs_auth'],
];

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function withClient(url, work) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Payments and bills made since `since` that are still PENDING. */
export async function pendingSince(context, since) {
  const [payments, bills] = await Promise.all([
    withClient(context.databaseUrl('bvs_wallet'), (client) =>
      client.query(`SELECT count(*) AS n FROM wallet_transactions WHERE type = 'PAYMENT' AND status = 'PENDING' AND created_at >= $1`, [since]),
    ),
    withClient(context.databaseUrl('bvs_billing'), (client) => client.query(`SELECT count(*) AS n FROM bill_payments WHERE status = 'PENDING' AND created_at >= $1`, [since])),
  ]);
  return Number(payments.rows[0].n) + Number(bills.rows[0].n);
}

/** Waits until nothing made since `since` is PENDING; answers the seconds it took, or throws past `timeoutMs`. */
export async function awaitDrained(context, since, timeoutMs) {
  const started = Date.now();
  for (;;) {
    let pending;
    try {
      pending = await pendingSince(context, since);
    } catch {
      pending = Number.NaN; // the database may still be coming back from a fault
    }
    if (pending === 0) return (Date.now() - started) / 1000;
    if (Date.now() - started >= timeoutMs) throw new Error(`${pending} payments and bills still PENDING ${timeoutMs / 1000} s after the fault healed`);
    await sleep(DRAIN_POLL_MS);
  }
}

/** The end offsets of every dead-letter topic: dead letters before them are not this run's. */
export async function deadLetterEnds(kafka) {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const ends = new Map();
    for (const topic of ALL_EVENT_TOPICS.map(deadLetterTopicOf)) {
      for (const { partition, high } of await admin.fetchTopicOffsets(topic)) ends.set(`${topic}:${partition}`, BigInt(high));
    }
    return ends;
  } finally {
    await admin.disconnect();
  }
}

/** The dead letters parked after `since` (deadLetterEnds), each as the dlq-* headers describe it. */
async function deadLettersSince(kafka, since) {
  const now = await deadLetterEnds(kafka);
  const wanted = [...now].filter(([key, end]) => end > (since.get(key) ?? 0n));
  if (wanted.length === 0) return [];
  const letters = [];
  const remaining = new Map(wanted);
  const consumer = kafka.consumer({ groupId: `chaos-dlq-${Date.now()}`, maxWaitTimeInMs: 200 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [...new Set(wanted.map(([key]) => key.slice(0, key.lastIndexOf(':'))))] });
    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`dead letters not read within ${READ_DEAD_LETTERS_TIMEOUT_MS} ms`)), READ_DEAD_LETTERS_TIMEOUT_MS);
      void consumer.run({
        autoCommit: false,
        eachMessage: async ({ topic, partition, message }) => {
          const key = `${topic}:${partition}`;
          const end = remaining.get(key);
          if (end === undefined) return;
          const header = (name) => message.headers?.[name]?.toString();
          letters.push({ group: header('dlq-consumer'), topic: header('dlq-source-topic'), partition: header('dlq-source-partition'), offset: header('dlq-source-offset'), reason: header('dlq-reason') });
          if (BigInt(message.offset) + 1n >= end) remaining.delete(key);
          if (remaining.size === 0) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
      for (const [key] of wanted) {
        const separator = key.lastIndexOf(':');
        consumer.seek({ topic: key.slice(0, separator), partition: Number(key.slice(separator + 1)), offset: String(since.get(key) ?? 0n) });
      }
    });
  } finally {
    await consumer.disconnect();
  }
  return letters;
}

/** Every dead letter parked since the run began, with no DEAD_LETTER anomaly for its source message. */
async function deadLettersWithoutAlert(context, since) {
  const unalerted = [];
  const letters = await deadLettersSince(context.adminKafka(), since);
  for (const letter of letters) {
    const database = DATABASE_OF_GROUP.find(([pattern]) => pattern.test(letter.group ?? ''))?.[1];
    const alerted =
      database !== undefined &&
      (await withClient(context.databaseUrl(database), (client) =>
        client.query(
          `SELECT 1 FROM anomalies WHERE alert = 'DEAD_LETTER' AND details->>'topic' = $1 AND details->>'partition' = $2 AND details->>'offset' = $3 LIMIT 1`,
          [letter.topic, letter.partition, letter.offset],
        ),
      )).rowCount > 0;
    if (!alerted) unalerted.push(letter);
  }
  return { parked: letters.length, unalerted };
}

async function ledgerAudit(context) {
  try {
    const { stdout } = await run('node', [join(ROOT, 'dist/services/wallet/src/audit/main.js')], {
      env: { ...process.env, DATABASE_URL: context.databaseUrl('bvs_wallet') },
      maxBuffer: 16 << 20,
    });
    return { clean: true, lines: stdout.trim().split('\n') };
  } catch (error) {
    return { clean: false, lines: String(error.stdout ?? error.message).trim().split('\n') };
  }
}

/** The books as they stand: findings not present at the baseline fail the run. */
export async function judgeMoney(context, baseline) {
  const [audit, books, deadLetters] = await Promise.all([
    ledgerAudit(context),
    checkBooks(context.databaseUrl('bvs_wallet'), context.databaseUrl('bvs_billing'), { pendingWindowSeconds: PENDING_WINDOW_SECONDS, walletsCreatedSince: baseline.takenAt }),
    deadLettersWithoutAlert(context, baseline.deadLetterEnds),
  ]);
  const auditFindings = audit.lines.filter((line) => line.startsWith('DRIFT') && !baseline.auditLines.has(line));
  const bookFindings = books.findings.filter((finding) => !baseline.bookFindings.has(`${finding.check}: ${finding.detail}`));
  const findings = [
    ...(audit.clean || auditFindings.length > 0 ? auditFindings : [`ledger audit failed: ${audit.lines.at(-1)}`]),
    ...bookFindings.map((finding) => `${finding.check}: ${finding.detail}`),
    ...deadLetters.unalerted.map((letter) => `dead letter without an alert: ${letter.topic} ${letter.partition}/${letter.offset} parked by ${letter.group} (${letter.reason})`),
  ];
  return { findings, figures: books.figures, deadLettersParked: deadLetters.parked, auditSummary: audit.lines.at(-1) };
}

/** What is wrong before the run starts, so that only what the run causes is held against it. */
export async function takeBaseline(context) {
  const takenAt = new Date();
  const [audit, books, ends] = await Promise.all([
    ledgerAudit(context),
    checkBooks(context.databaseUrl('bvs_wallet'), context.databaseUrl('bvs_billing'), { pendingWindowSeconds: PENDING_WINDOW_SECONDS }),
    deadLetterEnds(context.adminKafka()),
  ]);
  return {
    takenAt,
    auditLines: new Set(audit.lines.filter((line) => line.startsWith('DRIFT'))),
    // Only the money rule can still fail on what was there before: the rest is judged on this run's wallets.
    bookFindings: new Set(books.findings.map((finding) => `${finding.check}: ${finding.detail}`)),
    deadLetterEnds: ends,
  };
}
