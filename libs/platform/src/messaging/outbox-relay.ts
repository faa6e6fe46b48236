import { ALL_EVENT_CONTRACTS, isEventTopic } from '@bvs/contracts';
import { Logger } from '@nestjs/common';
import type { Span } from '@opentelemetry/api';
import type { Kafka, Message, Producer, TopicMessages } from 'kafkajs';
import type { Pool, PoolClient } from 'pg';
import { DataSource } from 'typeorm';
import { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { ensureTopics } from '../kafka';
import { PreparedStatement } from '../persistence/prepared-statement';
import { markFailed, TRACEPARENT_HEADER, traceparentOfSpan } from '../tracing/trace-context';
import type { EventSchemaRegistry } from '../schema-registry';
import { OUTBOX_CHANNEL, OUTBOX_RELAY_LOCK_KEY } from './messaging-constants';
import type { MessagingLogger } from './messaging-logger';
import { startSendSpan } from './messaging-spans';
import { fromOutboxPayload } from './outbox-payload';
import { retryDelayMs, Wakeup } from './wakeup';

export interface OutboxRelayOptions {
  readonly dataSource: DataSource;
  readonly kafka: Kafka;
  readonly registry: EventSchemaRegistry;
  /** The publishing service, for logs; its own topics (and their .dlq twins) are created at start. */
  readonly service: string;
  /** Rows read and sent per round trip. Default 100. */
  readonly batchSize?: number;
  /** Longest wait for new rows when no NOTIFY arrives (a lost notification costs at most this). Default 500. */
  readonly pollIntervalMs?: number;
  /** How often a standby retries to become the active relay. Default 2 000. */
  readonly standbyRetryMs?: number;
  /** Cap of the backoff after consecutive failures (it starts at pollIntervalMs). Default 30 000. */
  readonly maxRetryDelayMs?: number;
  /** Broker-side deadline of one send. Default 30 000. */
  readonly sendTimeoutMs?: number;
  /**
   * Least time from the start of one round to the start of the next, at most
   * MAX_MIN_ROUND_INTERVAL_MS. Default 0: a round follows each NOTIFY at once. Tens of
   * milliseconds gather the commits made meanwhile into one read, one send, one mark and one fetch
   * downstream instead of one each, for a wait of at most that long; a loaded relay, whose rounds
   * already take that long, never waits for it.
   */
  readonly minRoundIntervalMs?: number;
  readonly logger?: MessagingLogger;
}

interface PendingRow {
  readonly id: string;
  readonly event_id: string;
  readonly topic: string;
  readonly message_key: string;
  readonly payload: unknown;
  readonly headers: Record<string, string>;
  readonly traceparent: string | null;
}

/** A row encoded and about to be sent, with the span that sends it. */
interface ReadyRow {
  readonly row: PendingRow;
  readonly message: Message;
  readonly span: Span;
}

/** The connection that holds the relay lock, listens for NOTIFY and reads and marks the rows. */
interface LeaderSession {
  readonly client: PoolClient;
  readonly onError: (error: Error) => void;
  lost: boolean;
}

const MAX_BATCH_SIZE = 1_000;
export const MAX_MIN_ROUND_INTERVAL_MS = 1_000;
const MAX_ERROR_TEXT = 2_000;
const PENDING_OUTBOX_ROWS = new PreparedStatement(
  'outbox_pending',
  'SELECT id, event_id, topic, message_key, payload, headers, traceparent FROM outbox WHERE published_at IS NULL ORDER BY id LIMIT $1',
);
const MARK_OUTBOX_ROWS_PUBLISHED = new PreparedStatement('outbox_mark_published', 'UPDATE outbox SET published_at = now() WHERE id = ANY($1::bigint[])');

/**
 * Publishes committed outbox rows to Kafka, in `id` order, at least once.
 *
 * One relay per database is active: the one holding a session advisory lock on a dedicated
 * connection (taken from the DataSource's pool for the relay's lifetime). The others stand by and
 * retry every `standbyRetryMs`, so a replica that dies is replaced within about that long, and
 * rows of one key never race each other out of order. The active relay reads and marks rows on
 * that same connection, so once it loses the lock it can no longer mark anything.
 *
 * Each round: read up to `batchSize` unpublished rows by id, encode them with the registry, send
 * them with an idempotent producer (acks from all in-sync replicas, one request in flight), then
 * set `published_at`. A crash between send and mark re-sends those rows on restart; consumers
 * dedupe on the event id (inbox).
 *
 * Each row is sent under a span of the trace that wrote it (`outbox.traceparent`), and its
 * `traceparent` header names that span, so the consumer continues the same trace.
 *
 * Failures stop the round at the first row that fails (the rows before it are still published and
 * marked), record `attempts` and `last_error` on the failed rows, log an error, and retry the
 * whole round with exponential backoff. This keeps the strict id order (stronger than per-key
 * order) and suits the failures that actually happen here (registry or Kafka unavailable):
 * events are validated when enqueued, so a row that can never be encoded should not exist. If one
 * does, it holds up the outbox and logs its growing `attempts` until an operator repairs it.
 */
export class OutboxRelay {
  private readonly logger: MessagingLogger;
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;
  private readonly standbyRetryMs: number;
  private readonly maxRetryDelayMs: number;
  private readonly sendTimeoutMs: number;
  private readonly minRoundIntervalMs: number;
  /** Rows committed, a lost session, stop(): whatever the loop waits on between rounds. */
  private readonly wakeup = new Wakeup();
  /** stop() alone: the spacing between rounds must not end at every NOTIFY, only when stopping. */
  private stopSignal = new Wakeup();
  private readonly ensuredTopics = new Set<string>();
  private session: LeaderSession | undefined;
  private producer: Producer | undefined;
  private loop: Promise<void> | undefined;
  private stopping = false;
  private queue: Promise<unknown> = Promise.resolve();
  private published = 0;

  constructor(private readonly options: OutboxRelayOptions) {
    this.logger = options.logger ?? new Logger(OutboxRelay.name);
    this.batchSize = options.batchSize ?? 100;
    this.pollIntervalMs = options.pollIntervalMs ?? 500;
    this.standbyRetryMs = options.standbyRetryMs ?? 2_000;
    this.maxRetryDelayMs = options.maxRetryDelayMs ?? 30_000;
    this.sendTimeoutMs = options.sendTimeoutMs ?? 30_000;
    this.minRoundIntervalMs = options.minRoundIntervalMs ?? 0;
    if (!Number.isInteger(this.minRoundIntervalMs) || this.minRoundIntervalMs < 0 || this.minRoundIntervalMs > MAX_MIN_ROUND_INTERVAL_MS) {
      throw new RangeError(`minRoundIntervalMs must be an integer from 0 to ${MAX_MIN_ROUND_INTERVAL_MS}, got ${this.minRoundIntervalMs}`);
    }
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1 || this.batchSize > MAX_BATCH_SIZE) {
      throw new RangeError(`batchSize must be an integer from 1 to ${MAX_BATCH_SIZE}, got ${this.batchSize}`);
    }
    for (const [name, value] of Object.entries({
      pollIntervalMs: this.pollIntervalMs,
      standbyRetryMs: this.standbyRetryMs,
      maxRetryDelayMs: this.maxRetryDelayMs,
      sendTimeoutMs: this.sendTimeoutMs,
    })) {
      if (!Number.isInteger(value) || value <= 0) throw new RangeError(`${name} must be a positive integer, got ${value}`);
    }
  }

  /** True while this instance holds the relay lock (it is the one publishing). */
  get isActive(): boolean {
    return this.session !== undefined && !this.session.lost;
  }

  /** Rows this instance has published since it was created (re-sends included). */
  get publishedCount(): number {
    return this.published;
  }

  /**
   * Creates the service's topics, connects the producer and starts relaying in the background
   * (active or standby). Resolves once running; fails if Kafka cannot be reached.
   */
  async start(): Promise<void> {
    if (this.loop !== undefined) return;
    this.stopping = false;
    this.stopSignal = new Wakeup();
    const owned = ALL_EVENT_CONTRACTS.filter((contract) => contract.owner === this.options.service).map((contract) => contract.topic);
    await this.ensureTopicsFor(owned);
    await this.connectedProducer();
    this.loop = this.run();
  }

  /** Finishes the round in progress, gives up the lock and disconnects. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wakeup.wake();
    this.stopSignal.wake();
    await this.loop;
    this.loop = undefined;
    await this.serialized(async () => {
      await this.giveUpLock();
      this.endSession();
      await this.producer?.disconnect();
      this.producer = undefined;
    });
  }

  /**
   * Publishes every row pending now (and any committed meanwhile) and returns how many. Returns 0
   * without publishing when another relay is active: that one publishes them. Rejects when a row
   * fails, after recording the failure on it.
   */
  drain(): Promise<number> {
    return this.serialized(async () => {
      if (!(await this.lead())) return 0;
      let total = 0;
      for (;;) {
        const count = await this.publishBatch();
        total += count;
        if (count < this.batchSize) return total;
      }
    });
  }

  private async run(): Promise<void> {
    let failures = 0;
    let roundStartedAt = Number.NEGATIVE_INFINITY;
    while (!this.stopping) {
      try {
        const spacingMs = roundStartedAt + this.minRoundIntervalMs - performance.now();
        if (spacingMs > 0) await this.stopSignal.wait(spacingMs);
        if (this.stopping) return;
        roundStartedAt = performance.now();
        // The round's read sees every row whose NOTIFY came before it, those of the spacing included.
        this.wakeup.clear();
        const published = await this.serialized(async () => ((await this.lead()) ? this.publishBatch() : undefined));
        failures = 0;
        if (published === undefined) await this.wakeup.wait(this.standbyRetryMs);
        else if (published < this.batchSize) await this.wakeup.wait(this.pollIntervalMs);
      } catch (error) {
        failures += 1;
        const retryInMs = retryDelayMs(failures, this.pollIntervalMs, this.maxRetryDelayMs);
        this.logger.error({ err: error, service: this.options.service, failures, retryInMs }, 'Outbox relay round failed; retrying');
        await this.wakeup.wait(retryInMs);
      }
    }
  }

  /** Drain and the background loop never publish at the same time (that could reorder rows). */
  private serialized<T>(work: () => Promise<T>): Promise<T> {
    const result = this.queue.then(work);
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** Keeps or tries to take the relay lock. True when this instance is the active relay. */
  private async lead(): Promise<boolean> {
    if (this.session !== undefined && !this.session.lost) return true;
    if (this.session !== undefined) {
      this.logger.warn({ service: this.options.service }, 'Outbox relay lost its database session; trying to take over again');
      this.endSession();
    }
    const client = await this.pool().connect();
    const session: LeaderSession = {
      client,
      lost: false,
      // A checked-out pg client has no error listener; without one a dropped connection would crash the process.
      onError: (error: Error) => {
        session.lost = true;
        this.logger.warn({ err: error, service: this.options.service }, 'Outbox relay connection failed');
        this.wakeup.wake();
      },
    };
    client.on('error', session.onError);
    try {
      const { rows } = await client.query<{ acquired: boolean }>('SELECT pg_try_advisory_lock($1) AS acquired', [OUTBOX_RELAY_LOCK_KEY]);
      if (rows[0]?.acquired !== true) {
        client.removeListener('error', session.onError);
        client.release();
        return false;
      }
      client.on('notification', () => this.wakeup.wake());
      await client.query(`LISTEN ${OUTBOX_CHANNEL}`);
      // Marking rows published need not wait for the disk: if a crash of PostgreSQL loses a mark,
      // the row is sent again and consumers drop it by its event id, as after any crash between send
      // and mark. It saves a WAL flush per batch, which every committing transaction queues behind.
      // Only this session, which is closed rather than returned to the pool, runs without it.
      await client.query('SET synchronous_commit = off');
    } catch (error) {
      client.removeListener('error', session.onError);
      // Destroyed, not returned: it may hold the lock or a LISTEN.
      client.release(true);
      throw error;
    }
    this.session = session;
    this.logger.log({ service: this.options.service }, 'Outbox relay active');
    return true;
  }

  /**
   * On a clean stop the lock is released before the connection closes: closing alone releases it
   * only once the server notices, and a relay taking over in that moment would find it still held.
   */
  private async giveUpLock(): Promise<void> {
    const session = this.session;
    if (session === undefined || session.lost) return;
    await session.client.query('SELECT pg_advisory_unlock($1)', [OUTBOX_RELAY_LOCK_KEY]).catch(() => undefined);
  }

  /** Closing the connection is what releases the lock and the LISTEN, whatever state it is in. */
  private endSession(): void {
    const session = this.session;
    if (session === undefined) return;
    this.session = undefined;
    session.client.removeListener('error', session.onError);
    session.client.release(true);
  }

  private async publishBatch(): Promise<number> {
    const session = this.session;
    if (session === undefined) throw new Error('OutboxRelay: publishing without holding the relay lock');
    const { client } = session;
    const { rows } = await PENDING_OUTBOX_ROWS.runOn<PendingRow>(client, [this.batchSize]);
    if (rows.length === 0) return 0;
    const producer = await this.connectedProducer();
    await this.ensureTopicsFor(rows.map((row) => row.topic));

    const ready: ReadyRow[] = [];
    let failed: { row: PendingRow; error: unknown } | undefined;
    for (const row of rows) {
      try {
        ready.push(await this.toReadyRow(row));
      } catch (error) {
        failed = { row, error };
        break;
      }
    }

    if (ready.length > 0) {
      const ids = ready.map(({ row }) => row.id);
      try {
        await producer.sendBatch({ acks: -1, timeout: this.sendTimeoutMs, topicMessages: byTopic(ready) });
      } catch (error) {
        for (const { span } of ready) markFailed(span, error);
        await this.recordFailure(client, ids, error);
        throw error;
      } finally {
        for (const { span } of ready) span.end();
      }
      await MARK_OUTBOX_ROWS_PUBLISHED.runOn(client, [ids]);
      this.published += ready.length;
    }
    if (failed !== undefined) {
      await this.recordFailure(client, [failed.row.id], failed.error);
      throw failed.error;
    }
    return ready.length;
  }

  private async toReadyRow(row: PendingRow): Promise<ReadyRow> {
    if (!isEventTopic(row.topic)) throw new Error(`outbox row ${row.id}: ${row.topic} is not an event topic of the contracts`);
    const value = await this.options.registry.encode(row.topic, fromOutboxPayload(row.topic, row.payload));
    const span = startSendSpan({ topic: row.topic, eventId: row.event_id, key: row.message_key, traceparent: row.traceparent });
    // The header names this send, never a context the row's writer put among its headers.
    const { [TRACEPARENT_HEADER]: _written, ...headers } = row.headers;
    const traceparent = traceparentOfSpan(span);
    return { row, span, message: { key: row.message_key, value, headers: traceparent === null ? headers : { ...headers, [TRACEPARENT_HEADER]: traceparent } } };
  }

  /** Best effort: the failure is logged by the caller even if the database is what failed. */
  private async recordFailure(client: PoolClient, ids: readonly string[], error: unknown): Promise<void> {
    const text = (error instanceof Error ? `${error.name}: ${error.message}` : String(error)).slice(0, MAX_ERROR_TEXT);
    try {
      await client.query('UPDATE outbox SET attempts = attempts + 1, last_error = $2 WHERE id = ANY($1::bigint[])', [ids, text]);
    } catch (recordError) {
      this.logger.warn({ err: recordError, service: this.options.service }, 'Could not record an outbox failure');
    }
  }

  private async ensureTopicsFor(topics: readonly string[]): Promise<void> {
    const missing = [...new Set(topics)].filter((topic) => !this.ensuredTopics.has(topic));
    if (missing.length === 0) return;
    // Only the topics it writes: a dead-letter twin belongs to the topic's consumers, and the
    // broker's ACLs keep it out of the producer's sight.
    await ensureTopics(this.options.kafka, missing.map((topic) => ({ topic })));
    for (const topic of missing) this.ensuredTopics.add(topic);
  }

  private async connectedProducer(): Promise<Producer> {
    if (this.producer !== undefined) return this.producer;
    const producer = this.options.kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
    await producer.connect();
    this.producer = producer;
    return producer;
  }

  private pool(): Pool {
    const driver = this.options.dataSource.driver;
    if (!(driver instanceof PostgresDriver)) throw new Error('OutboxRelay needs a PostgreSQL DataSource');
    return driver.master as Pool;
  }
}

/** One entry per topic, rows in id order: kafkajs keeps that order per partition. */
function byTopic(ready: readonly ReadyRow[]): TopicMessages[] {
  const grouped = new Map<string, Message[]>();
  for (const { row, message } of ready) {
    const messages = grouped.get(row.topic) ?? [];
    messages.push(message);
    grouped.set(row.topic, messages);
  }
  return [...grouped].map(([topic, messages]) => ({ topic, messages }));
}
