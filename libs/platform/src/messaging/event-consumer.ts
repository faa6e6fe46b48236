import { deadLetterTopicOf, type EventByTopic, type EventTopic } from '@bvs/contracts';
import { Logger } from '@nestjs/common';
import type { Span } from '@opentelemetry/api';
import type { Consumer, EachBatchPayload, IHeaders, Kafka, KafkaMessage, Producer } from 'kafkajs';
import type { DataSource, EntityManager } from 'typeorm';
import { ensureTopics, startGroupAtEnd, waitForConsumerGroup } from '../kafka';
import { SchemaRegistryError, type EventSchemaRegistry } from '../schema-registry';
import { DEAD_LETTER_ALERT, DEAD_LETTER_HEADERS, EVENT_HEADERS } from './messaging-constants';
import type { MessagingLogger } from './messaging-logger';
import { isDatabaseUnavailable } from '../persistence/database-unavailable';
import { linkTo, markFailed, runInSpan, traceparentOfSpan, withActiveSpan } from '../tracing/trace-context';
import { startBatchSpan, startProcessSpan } from './messaging-spans';
import { recordInbox, recordInboxAll } from './record-inbox';
import { retryDelayMs, Wakeup } from './wakeup';
import { UnprocessableEventError } from './unprocessable-event.error';
import type { NewGroupStart } from './messaging-constants';
import { Counter, Gauge, type Registry } from 'prom-client';

/** What a handler gets besides the event: the transaction to write in, and where the event came from. */
export interface EventContext<T extends EventTopic> {
  /** The open transaction that also records the event in the inbox; write the effect with it. */
  readonly manager: EntityManager;
  readonly topic: T;
  readonly partition: number;
  readonly offset: string;
  /** Kafka headers as text (the first value of a repeated header). */
  readonly headers: Readonly<Record<string, string>>;
}

export type EventHandler<T extends EventTopic> = (event: EventByTopic[T], context: EventContext<T>) => Promise<void>;

/** One new event of a slice applied together, with where it came from. */
export interface SliceEvent<T extends EventTopic> {
  readonly event: EventByTopic[T];
  readonly partition: number;
  readonly offset: string;
  readonly headers: Readonly<Record<string, string>>;
  /**
   * The trace this event's effects belong to (W3C traceparent of its process span): pass it to
   * the events the handler records for it (`enqueueEvents`), since the slice's shared transaction
   * belongs to no single event's trace. Null when nothing is traced.
   */
  readonly traceparent: string | null;
}

/**
 * Applies a slice's new events (redeliveries already dropped by the inbox) in the transaction
 * given, which also holds their inbox rows: for handlers that write many events' effects in a few
 * statements. Throwing rolls the whole slice back, and its events are then applied one by one with
 * `handle`.
 */
export type SliceHandler<T extends EventTopic> = (topic: T, events: readonly SliceEvent<T>[], manager: EntityManager) => Promise<void>;

/** A message a consumer group gave up on and parked on `<topic>.dlq`. */
export interface ParkedMessage {
  readonly groupId: string;
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly eventId: string | undefined;
  readonly reason: string;
}

export interface EventConsumerOptions<T extends EventTopic> {
  readonly kafka: Kafka;
  readonly registry: EventSchemaRegistry;
  readonly dataSource: DataSource;
  /** Kafka consumer group, and the inbox's consumer name: each group applies each event once. */
  readonly groupId: string;
  /** The consuming service, for logs. */
  readonly service: string;
  readonly topics: readonly T[];
  /** Applies one event's effect inside the transaction given in the context. Throwing rolls it back. */
  readonly handle: EventHandler<T>;
  /** When given, applies the events of a slice together instead of calling `handle` for each of them. */
  readonly handleSlice?: SliceHandler<T>;
  /** Handler attempts per message before it is dead-lettered. Default 5. */
  readonly maxAttempts?: number;
  /** First retry delay; doubles per attempt, with jitter. Default 200. */
  readonly retryBaseMs?: number;
  /** Cap of one retry delay. Default 5 000 (keeps all retries well inside the session timeout's heartbeats). */
  readonly retryMaxMs?: number;
  /**
   * Partitions whose fetched batches are worked at the same time. Default 12; at most
   * MAX_PARTITIONS_IN_PARALLEL. Their slices share transactions (`transactionsInParallel`), so a
   * partition holds no database connection of its own.
   */
  readonly partitionsInParallel?: number;
  /**
   * Transactions applying slices at the same time, each holding a database connection while it
   * runs: keep it below the pool size. Default 3; at most MAX_TRANSACTIONS_IN_PARALLEL.
   */
  readonly transactionsInParallel?: number;
  /** Most events applied in one database transaction. Default 100; at most MAX_EVENTS_PER_TRANSACTION. */
  readonly maxEventsPerTransaction?: number;
  /**
   * Least time from the moment a fetch's batches are handed over to the next fetch, at most
   * MAX_MIN_FETCH_INTERVAL_MS. Default 0: kafkajs fetches again as soon as the batches are
   * applied. Tens of milliseconds let the events written meanwhile arrive in one fetch, one
   * transaction and one offset commit instead of one each, for a wait of at most that long; a
   * loaded consumer, whose fetches take that long to apply, never waits for it.
   */
  readonly minFetchIntervalMs?: number;
  /** How long start() waits for the group to join. Default 60 000. */
  readonly joinTimeoutMs?: number;
  /**
   * How long the group waits for a member that stopped heartbeating (kill -9, a lost node) before
   * its partitions move. Default 10 000: a crash stalls its partitions at most this long. A clean
   * stop leaves the group at once and moves them immediately.
   */
  readonly sessionTimeoutMs?: number;
  /**
   * Where a group with no committed offsets starts reading: 'earliest' (the default) reads the
   * whole history the topics keep, which is what a service must do; 'latest' starts at the end
   * the topics have when the service starts, for a throwaway system (a test run) that shares a
   * broker with earlier ones and must not apply their events.
   */
  readonly newGroupStartsAt?: NewGroupStart;
  /** Called once a message is parked, after it is on the dead-letter topic: the service raises its alert there. */
  readonly onDeadLetter?: (parked: ParkedMessage) => Promise<void>;
  /** The service's metrics: consumer lag per partition and dead letters per topic are kept there when given. */
  readonly metrics?: Registry;
  readonly logger?: MessagingLogger;
}

const DEFAULT_SESSION_TIMEOUT_MS = 10_000;
/**
 * Longest an applied slice's offset waits to be committed to Kafka. Committing after every slice
 * cost a broker round trip per transaction, in the consumer's loop, before its next slice; a
 * restart or a rebalance instead redelivers at most this much, which the inbox turns into no-ops.
 */
export const OFFSET_COMMIT_INTERVAL_MS = 200;
/** A third of the session timeout or less, as Kafka requires, with room for a missed beat. */
const HEARTBEAT_INTERVAL_MS = 1_000;

type Outcome = { readonly kind: 'applied' | 'interrupted' } | { readonly kind: 'dead-letter'; readonly reason: string; readonly attempts: number; readonly error: unknown };

const MAX_REASON_TEXT = 1_000;
/** Topic names never hold a NUL, so topic and partition join into one key without ambiguity. */
const LAG_KEY_SEPARATOR = '\u0000';
const lagKey = (topic: string, partition: string): string => `${topic}${LAG_KEY_SEPARATOR}${partition}`;
type LagLabels = { readonly group: string; readonly topic: string; readonly partition: string };
export const MAX_PARTITIONS_IN_PARALLEL = 64;
export const MAX_TRANSACTIONS_IN_PARALLEL = 64;
export const MAX_EVENTS_PER_TRANSACTION = 1_000;
export const MAX_MIN_FETCH_INTERVAL_MS = 1_000;

/** One message of a fetched batch, decoded, on its way into a shared transaction. */
interface DecodedMessage<T extends EventTopic> {
  readonly partition: number;
  readonly message: KafkaMessage;
  readonly event: EventByTopic[T];
}

type SliceResult<T extends EventTopic> = 'applied' | 'not-applied' | FailedTogether<T>;

/** A partition's decoded slice, waiting for a transaction it may share with other partitions' slices of its topic. */
interface WaitingSlice<T extends EventTopic> {
  readonly topic: T;
  readonly decoded: readonly DecodedMessage<T>[];
  readonly spans: ReadonlyMap<KafkaMessage, Span>;
  readonly settle: (result: SliceResult<T>) => void;
}

/** The event whose handler failed while a slice was applied together: that failure is its first attempt. */
interface FailedTogether<T extends EventTopic> {
  readonly message: KafkaMessage;
  readonly event: EventByTopic[T];
  readonly error: unknown;
}

/** What a message needs to be applied on its own (with retries) or dead-lettered. */
interface MessageAt {
  readonly topic: string;
  readonly partition: number;
  readonly message: KafkaMessage;
  readonly heartbeat: () => Promise<void>;
}

/**
 * Consumes integration events and applies each exactly once per consumer group, at least once
 * delivered:
 *
 * 1. decode the value with the registry into the topic's contract type;
 * 2. in ONE database transaction, record (group, event id) in the inbox and, if it is new, run the
 *    handler with that transaction's manager; a redelivery commits nothing but the no-op;
 * 3. after the commit, commit the Kafka offset (auto-commit is off), within
 *    OFFSET_COMMIT_INTERVAL_MS (at once after a dead letter, and on stop). A crash in between
 *    redelivers the message, and step 2 turns it into a no-op.
 *
 * A failing handler is retried in-process with exponential backoff and jitter, up to
 * `maxAttempts`; then the message (original bytes, key and headers, plus `dlq-*` headers saying
 * why) goes to `<topic>.dlq`, an error line with `alert: 'DEAD_LETTER'` is logged, and the offset
 * is committed so the partition moves on. A message that cannot be decoded (malformed bytes, an
 * unknown schema, another event's schema) goes there at once: retrying cannot fix it. A registry
 * that is unreachable is not the message's fault: decoding is retried, with capped backoff, until
 * it answers or the consumer stops (the partition waits, nothing is dead-lettered).
 *
 * Throughput: up to `partitionsInParallel` partitions are worked at once. A partition's fetched
 * batch is applied in slices of up to `maxEventsPerTransaction` events, each slice in ONE
 * transaction (every event with its inbox row, recorded in one statement); its offsets are
 * committed together with those of every slice applied in the same OFFSET_COMMIT_INTERVAL_MS.
 * kafkajs hands a fetch's batches over together, one per partition, and at a steady rate most hold
 * an event or two: so the slices of one topic handed over in the same turn of the event loop, or
 * while every transaction slot was busy, share one transaction, up to `maxEventsPerTransaction`
 * events, with at most `transactionsInParallel` transactions at once. A shared transaction that
 * fails is not retried as a whole: each of its slices is then applied alone, as below.
 * With `handleSlice`, the slice's new events go to it in one call, for handlers that write them
 * in a few statements; otherwise `handle` runs for each. Within a slice the
 * events are applied ordered by their key (stable, so one key's events keep their order): two
 * slices in parallel then lock the same aggregates in the same order and cannot deadlock. If the
 * slice's transaction fails for any reason (one bad event, a conflict, the database), nothing of it
 * is kept and its events are applied one by one, each in its own transaction with the retries and
 * dead-lettering above, so one bad event never costs its neighbours anything but the retry.
 *
 * Tracing: each message gets a `process <topic>` span, child of the send span its `traceparent`
 * header names, open until the message is applied or parked; its handler, retries and log lines
 * run under it. A slice of several messages shares one transaction, which runs under a batch span
 * linked to theirs (a `handle` call still runs under its own message's span).
 */
export class EventConsumer<T extends EventTopic = EventTopic> {
  private readonly logger: MessagingLogger;
  private readonly maxAttempts: number;
  private readonly retryBaseMs: number;
  private readonly retryMaxMs: number;
  private readonly partitionsInParallel: number;
  private readonly transactionsInParallel: number;
  private readonly maxEventsPerTransaction: number;
  private readonly minFetchIntervalMs: number;
  /** When the batches of the fetch being applied began to be handed over. */
  private fetchHandedOverAt = 0;
  /** Decoded slices waiting for a transaction slot, in the order they were handed over. */
  private readonly waitingSlices: WaitingSlice<T>[] = [];
  private transactionsRunning = 0;
  private slicesScheduled = false;
  private consumer: Consumer | undefined;
  private producer: Producer | undefined;
  private wakeup = new Wakeup();
  private stopping = false;
  /** Set by stop() alone: a consumer kafkajs gave up on is started again until then. */
  private stopped = false;
  private recovering = false;
  /** Offsets applied and not yet committed, by `lagKey`: the next offset to read of each partition. */
  private readonly uncommitted = new Map<string, { readonly topic: string; readonly partition: number; readonly offset: string }>();
  private commitTimer: NodeJS.Timeout | undefined;
  /** Commits run one after another, so an older offset never lands after a newer one of its partition. */
  private commits: Promise<void> = Promise.resolve();
  /** The batches being worked now: close() lets them finish before it commits what they applied. */
  private readonly activeBatches = new Set<Promise<void>>();

  private readonly lag: Gauge<'group' | 'topic' | 'partition'> | undefined;
  /**
   * The partitions this member reads now, by the group's last assignment, and those it has a lag
   * reading for. A partition that moves to another member takes its reading with it: left behind,
   * the last reading would stand for good (a lag alert on a replica that no longer reads it, and a
   * partition counted twice in a sum over replicas).
   */
  private assigned = new Set<string>();
  /** The labels of each lag reading this member has set, by `lagKey`: what to remove when it loses the partition. */
  private readonly reportedLag = new Map<string, LagLabels>();
  private readonly deadLetters: Counter<'group' | 'topic'> | undefined;

  constructor(private readonly options: EventConsumerOptions<T>) {
    const { metrics } = options;
    this.lag = metrics && sharedMetric(metrics, 'bvs_kafka_consumer_lag_messages', () => new Gauge({ name: 'bvs_kafka_consumer_lag_messages', help: 'Messages of a partition not yet applied by the group, as of its last fetch', labelNames: ['group', 'topic', 'partition'], registers: [metrics] }));
    this.deadLetters = metrics && sharedMetric(metrics, 'bvs_dead_letters_total', () => new Counter({ name: 'bvs_dead_letters_total', help: 'Messages a consumer group parked on the dead-letter topic, by source topic', labelNames: ['group', 'topic'], registers: [metrics] }));
    this.logger = options.logger ?? new Logger(`EventConsumer(${options.groupId})`);
    this.maxAttempts = options.maxAttempts ?? 5;
    this.retryBaseMs = options.retryBaseMs ?? 200;
    this.retryMaxMs = options.retryMaxMs ?? 5_000;
    if (!Number.isInteger(this.maxAttempts) || this.maxAttempts < 1 || this.maxAttempts > 100) {
      throw new RangeError(`maxAttempts must be an integer from 1 to 100, got ${this.maxAttempts}`);
    }
    if (this.retryBaseMs <= 0 || this.retryMaxMs < this.retryBaseMs) {
      throw new RangeError('retryBaseMs must be positive and retryMaxMs not below it');
    }
    if (options.topics.length === 0) throw new RangeError('EventConsumer needs at least one topic');
    this.partitionsInParallel = boundedInteger('partitionsInParallel', options.partitionsInParallel ?? 12, MAX_PARTITIONS_IN_PARALLEL);
    this.transactionsInParallel = boundedInteger('transactionsInParallel', options.transactionsInParallel ?? 3, MAX_TRANSACTIONS_IN_PARALLEL);
    this.maxEventsPerTransaction = boundedInteger('maxEventsPerTransaction', options.maxEventsPerTransaction ?? 100, MAX_EVENTS_PER_TRANSACTION);
    this.minFetchIntervalMs = boundedInteger('minFetchIntervalMs', options.minFetchIntervalMs ?? 0, MAX_MIN_FETCH_INTERVAL_MS, 0);
  }

  /**
   * Creates the topics and their dead-letter twins, joins the group and resolves once it has
   * settled. A group with no committed offsets starts from the beginning of each topic, so nothing
   * published before its first start is skipped.
   */
  async start(): Promise<void> {
    this.stopped = false;
    await this.open();
  }

  private async open(): Promise<void> {
    if (this.consumer !== undefined) return;
    const { kafka, topics, groupId } = this.options;
    this.stopping = false;
    this.wakeup = new Wakeup();
    await ensureTopics(kafka, topics.flatMap((topic) => [{ topic }, { topic: deadLetterTopicOf(topic) }]));
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
    const consumer = kafka.consumer({
      groupId,
      allowAutoTopicCreation: false,
      sessionTimeout: this.options.sessionTimeoutMs ?? DEFAULT_SESSION_TIMEOUT_MS,
      heartbeatInterval: HEARTBEAT_INTERVAL_MS,
    });
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => this.onAssignment(payload.memberAssignment));
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      this.logger.error({ err: payload.error, groupId, restart: payload.restart }, 'Event consumer crashed');
      if (!payload.restart) void this.recoverFromCrash(consumer);
    });
    // Set before run(): messages may arrive (and need the dead-letter producer) before the group settles.
    this.consumer = consumer;
    this.producer = producer;
    try {
      await producer.connect();
      // Offsets committed before the group joins, rather than the consumer's fromBeginning: false, which takes the end only
      // at its first fetch and could skip an event written just after the service reported ready.
      if (this.options.newGroupStartsAt === 'latest') await startGroupAtEnd(kafka, groupId, topics, { onlyWhereUncommitted: true });
      await consumer.connect();
      await consumer.subscribe({ topics: [...topics], fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: this.partitionsInParallel,
        eachBatch: (payload) => this.workBatch(consumer, payload),
      });
      await waitForConsumerGroup(kafka, groupId, this.options.joinTimeoutMs ?? 60_000);
    } catch (error) {
      await this.close().catch(() => undefined);
      throw error;
    }
  }

  /** Cuts retries short (their messages stay uncommitted and come back), leaves the group, disconnects. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.close();
  }

  /**
   * kafkajs stops for good on an error it holds non-retriable, such as the coordinator no longer
   * knowing the member after a broker restart; left alone, the group would stop consuming while
   * the service reports ready (the chaos suite saw every payment wait). So the consumer is closed
   * and opened again, with the handler retries' backoff, until it runs or stop() is called.
   */
  private async recoverFromCrash(crashed: Consumer): Promise<void> {
    if (this.recovering || this.consumer !== crashed) return;
    this.recovering = true;
    try {
      for (let attempt = 1; !this.stopped; attempt += 1) {
        // Unref'd: a pause must not keep a process that is shutting down alive.
        await new Promise((resolve) => setTimeout(resolve, retryDelayMs(attempt, this.retryBaseMs, this.retryMaxMs)).unref());
        if (this.stopped) return;
        try {
          await this.close().catch(() => undefined);
          if (this.stopped) return;
          await this.open();
          this.logger.log({ groupId: this.options.groupId, attempt }, 'Event consumer started again after a crash');
          return;
        } catch (error) {
          this.logger.warn({ err: error, groupId: this.options.groupId, attempt }, 'Event consumer could not start again yet; retrying');
        }
      }
    } finally {
      this.recovering = false;
    }
  }

  private async close(): Promise<void> {
    const { consumer, producer } = this;
    if (consumer === undefined) return;
    this.stopping = true;
    this.wakeup.wake();
    // Once stopping, a batch starts no new slice; what the running ones applied is committed before the group is left.
    await Promise.allSettled([...this.activeBatches]);
    await this.commitApplied(consumer);
    await consumer.disconnect();
    await producer?.disconnect();
    this.consumer = undefined;
    this.producer = undefined;
    this.onAssignment({});
  }

  /** Keeps the lag readings of the partitions assigned to this member and drops the others'. */
  private onAssignment(memberAssignment: Readonly<Record<string, readonly number[]>>): void {
    this.assigned = new Set(Object.entries(memberAssignment).flatMap(([topic, partitions]) => partitions.map((partition) => lagKey(topic, String(partition)))));
    for (const [key, labels] of [...this.reportedLag]) {
      if (this.assigned.has(key)) continue;
      this.lag?.remove(labels);
      this.reportedLag.delete(key);
    }
  }

  /** A batch fetched before a rebalance may still be finishing: its partition's reading is no longer ours to give. */
  private reportLag(labels: LagLabels, messages: bigint): void {
    if (this.lag === undefined) return;
    const key = lagKey(labels.topic, labels.partition);
    if (!this.assigned.has(key)) return;
    this.lag.set(labels, Number(messages));
    this.reportedLag.set(key, labels);
  }

  private async processBatch(consumer: Consumer, payload: EachBatchPayload): Promise<void> {
    const { batch, heartbeat, isRunning, isStale, resolveOffset } = payload;
    const { topic, partition } = batch;
    const stillOurs = (): boolean => !this.stopping && isRunning() && !isStale();
    const labels = { group: this.options.groupId, topic, partition: String(partition) };
    /** `now`: commit at once (after a dead letter, which must not be parked twice); otherwise within OFFSET_COMMIT_INTERVAL_MS. */
    const commitThrough = async (message: KafkaMessage, now = false): Promise<void> => {
      resolveOffset(message.offset);
      this.reportLag(labels, BigInt(batch.highWatermark) - BigInt(message.offset) - 1n);
      this.uncommitted.set(lagKey(topic, String(partition)), { topic, partition, offset: (BigInt(message.offset) + 1n).toString() });
      if (now) await this.commitApplied(consumer);
      else this.commitSoon(consumer);
    };
    const first = batch.messages[0];
    if (first) this.reportLag(labels, BigInt(batch.highWatermark) - BigInt(first.offset));
    for (let start = 0; start < batch.messages.length; start += this.maxEventsPerTransaction) {
      if (!stillOurs()) return;
      const slice = batch.messages.slice(start, start + this.maxEventsPerTransaction);
      const last = slice.at(-1);
      if (last === undefined) return;
      const spans = new Map(slice.map((message) => [message, startProcessSpan({ groupId: this.options.groupId, topic, partition, offset: message.offset, headers: textHeaders(message.headers) })]));
      try {
        const together = await this.applyTogether(topic as T, partition, slice, spans);
        if (together === 'applied') {
          await commitThrough(last);
          await heartbeat();
          continue;
        }
        for (const message of slice) {
          if (!stillOurs()) return;
          const span = spans.get(message) as Span;
          const earlierFailure = together !== 'not-applied' && together.message === message ? together : undefined;
          const outcome = await withActiveSpan(span, () => this.applyWithRetries({ topic, partition, message, heartbeat }, earlierFailure));
          if (outcome.kind === 'interrupted') return;
          if (outcome.kind === 'dead-letter') {
            markFailed(span, outcome.error);
            await withActiveSpan(span, () => this.deadLetter({ topic, partition, message, heartbeat }, outcome));
          }
          await commitThrough(message, outcome.kind === 'dead-letter');
          span.end();
          spans.delete(message);
        }
      } finally {
        // Whatever is left was applied together, or is interrupted and comes back with a new span.
        for (const span of spans.values()) span.end();
      }
    }
  }

  /**
   * kafkajs fetches again once every batch of the last fetch is worked, so the last of them to
   * finish is what spaces the fetches (`minFetchIntervalMs`); a stop cuts the spacing short.
   */
  private async workBatch(consumer: Consumer, payload: EachBatchPayload): Promise<void> {
    if (this.activeBatches.size === 0) this.fetchHandedOverAt = performance.now();
    await this.trackBatch(this.processBatch(consumer, payload));
    if (this.activeBatches.size > 0 || this.stopping || !payload.isRunning() || payload.isStale()) return;
    const spacingMs = this.fetchHandedOverAt + this.minFetchIntervalMs - performance.now();
    if (spacingMs > 0) await this.wakeup.wait(spacingMs);
  }

  private trackBatch(work: Promise<void>): Promise<void> {
    this.activeBatches.add(work);
    const untrack = (): void => {
      this.activeBatches.delete(work);
    };
    work.then(untrack, untrack);
    return work;
  }

  private commitSoon(consumer: Consumer): void {
    if (this.commitTimer !== undefined) return;
    this.commitTimer = setTimeout(() => {
      this.commitTimer = undefined;
      void this.commitApplied(consumer);
    }, OFFSET_COMMIT_INTERVAL_MS);
    // A pending commit must not keep a process alive; close() commits what is left.
    this.commitTimer.unref();
  }

  /**
   * Commits every offset applied so far. A commit that fails (a rebalance took the partition, the
   * coordinator moved) is not retried: those events come again to whoever reads the partition
   * next, and the inbox drops them.
   */
  private commitApplied(consumer: Consumer): Promise<void> {
    clearTimeout(this.commitTimer);
    this.commitTimer = undefined;
    const offsets = [...this.uncommitted.values()];
    this.uncommitted.clear();
    if (offsets.length === 0) return this.commits;
    this.commits = this.commits.then(() =>
      consumer.commitOffsets(offsets).catch((error: unknown) => {
        this.logger.warn({ err: error, groupId: this.options.groupId, partitions: offsets.length }, 'Could not commit applied offsets; their events will be delivered again and skipped');
      }),
    );
    return this.commits;
  }

  /**
   * Applies a slice in one transaction, which it may share with other partitions' slices of its
   * topic. Anything else than 'applied' means nothing of it was written: some event could not be
   * decoded now ('not-applied'), or its transaction failed (then which event's handler failed, if
   * it got that far). The caller then applies them one by one.
   */
  private async applyTogether(topic: T, partition: number, messages: readonly KafkaMessage[], spans: ReadonlyMap<KafkaMessage, Span>): Promise<SliceResult<T>> {
    const decoded: DecodedMessage<T>[] = [];
    for (const message of messages) {
      if (message.value === null) return 'not-applied';
      try {
        decoded.push({ partition, message, event: await this.options.registry.decodeEvent(topic, message.value) });
      } catch {
        return 'not-applied';
      }
    }
    return new Promise((settle) => {
      this.waitingSlices.push({ topic, decoded, spans, settle });
      this.scheduleSlices();
    });
  }

  /** After the current turn of the event loop, so that the batches kafkajs handed over in it are all waiting. */
  private scheduleSlices(): void {
    if (this.slicesScheduled) return;
    this.slicesScheduled = true;
    setImmediate(() => {
      this.slicesScheduled = false;
      this.startTransactions();
    });
  }

  /** Fills the free transaction slots, each with the first waiting slice and those of its topic that fit beside it. */
  private startTransactions(): void {
    while (this.transactionsRunning < this.transactionsInParallel && this.waitingSlices.length > 0) {
      const shared = this.takeSlicesSharingATransaction();
      this.transactionsRunning += 1;
      void this.applyShared(shared).finally(() => {
        this.transactionsRunning -= 1;
        this.startTransactions();
      });
    }
  }

  private takeSlicesSharingATransaction(): WaitingSlice<T>[] {
    const [first] = this.waitingSlices.splice(0, 1) as [WaitingSlice<T>];
    const shared = [first];
    let events = first.decoded.length;
    for (let index = 0; index < this.waitingSlices.length; ) {
      const candidate = this.waitingSlices[index] as WaitingSlice<T>;
      if (candidate.topic === first.topic && events + candidate.decoded.length <= this.maxEventsPerTransaction) {
        shared.push(candidate);
        events += candidate.decoded.length;
        this.waitingSlices.splice(index, 1);
      } else index += 1;
    }
    return shared;
  }

  /** Never rejects: each slice learns its own result. A stop leaves slices that have not started unapplied. */
  private async applyShared(shared: readonly WaitingSlice<T>[]): Promise<void> {
    if (this.stopping) {
      for (const slice of shared) slice.settle('not-applied');
      return;
    }
    const together = await this.transact(shared);
    if (shared.length === 1 || together === 'applied') {
      for (const slice of shared) slice.settle(together);
      return;
    }
    // One partition's bad event must not cost the others more than this retry: each slice alone, then as its caller decides.
    // The slice whose handler failed goes straight to its caller, that failure counting as its event's first attempt.
    for (const slice of shared) {
      if (together !== 'not-applied' && slice.decoded.some(({ message }) => message === together.message)) slice.settle(together);
      else slice.settle(this.stopping ? 'not-applied' : await this.transact([slice]));
    }
  }

  /** The slices' events, all of one topic, and their inbox rows in one transaction. */
  private async transact(slices: readonly WaitingSlice<T>[]): Promise<SliceResult<T>> {
    const { groupId, handleSlice } = this.options;
    const topic = (slices[0] as WaitingSlice<T>).topic;
    const decoded = slices.flatMap((slice) => slice.decoded);
    const spans = new Map(slices.flatMap((slice) => [...slice.spans]));
    const spanOf = (message: KafkaMessage): Span => spans.get(message) as Span;
    let current: DecodedMessage<T> | undefined;
    const [only] = decoded;
    const inSliceSpan = <R>(work: () => Promise<R>): Promise<R> =>
      decoded.length === 1 && only !== undefined ? withActiveSpan(spanOf(only.message), work) : runInSpan(startBatchSpan(topic, decoded.map(({ message }) => linkTo(spanOf(message)))), work);
    try {
      await inSliceSpan(() =>
        this.options.dataSource.transaction(async (manager) => {
          const ordered = inKeyOrder(decoded);
          const fresh = await recordInboxAll(
            manager,
            groupId,
            topic,
            ordered.map((entry) => entry.event.metadata.eventId),
          );
          // `delete` answers true once per id: an event delivered twice in one slice is applied once.
          const toApply = ordered.filter((entry) => fresh.delete(entry.event.metadata.eventId));
          const withOrigin = ({ partition, message, event }: DecodedMessage<T>) => ({ event, partition, offset: message.offset, headers: textHeaders(message.headers) });
          if (handleSlice) {
            if (toApply.length > 0) await handleSlice(topic, toApply.map((entry) => ({ ...withOrigin(entry), traceparent: traceparentOfSpan(spanOf(entry.message)) })), manager);
            return;
          }
          for (const entry of toApply) {
            current = entry;
            await withActiveSpan(spanOf(entry.message), () => this.options.handle(entry.event, { manager, topic, ...withOrigin(entry) }));
          }
          current = undefined;
        }),
      );
      return 'applied';
    } catch (error) {
      this.logger.warn(
        { err: error, groupId, topic, partitions: [...new Set(decoded.map((entry) => entry.partition))], firstOffset: decoded[0]?.message.offset, events: decoded.length },
        slices.length === 1 ? 'Applying the events together failed; applying them one by one' : "Applying several partitions' events together failed; applying each partition's alone",
      );
      return current === undefined ? 'not-applied' : { message: current.message, event: current.event, error };
    }
  }

  /** `earlierFailure`: its handler already failed once, together with other events; that counts as the first attempt. */
  private async applyWithRetries({ topic, partition, message, heartbeat }: MessageAt, earlierFailure?: FailedTogether<T>): Promise<Outcome> {
    const source = topic as T;
    let event: EventByTopic[T] | undefined = earlierFailure?.event;
    let failedAlready = earlierFailure !== undefined;
    let decodeFailures = 0;
    let attempts = 0;
    let outageRetries = 0;
    for (;;) {
      if (this.stopping) return { kind: 'interrupted' };
      if (event === undefined) {
        try {
          if (message.value === null) throw new Error('the message has no value (a tombstone), not an event');
          event = await this.options.registry.decodeEvent(source, message.value);
        } catch (error) {
          if (error instanceof SchemaRegistryError && error.retriable) {
            decodeFailures += 1;
            const retryInMs = retryDelayMs(decodeFailures, this.retryBaseMs, this.retryMaxMs);
            this.logger.warn({ err: error, groupId: this.options.groupId, topic, partition, offset: message.offset, retryInMs }, 'Cannot decode yet; retrying');
            await this.pause(retryInMs, heartbeat);
            continue;
          }
          return { kind: 'dead-letter', reason: reasonOf(error), attempts, error };
        }
      }
      attempts += 1;
      try {
        if (failedAlready) {
          failedAlready = false;
          throw earlierFailure?.error;
        }
        await this.apply(source, partition, message, event);
        return { kind: 'applied' };
      } catch (error) {
        // The database being away is not the message's fault: parking a payment's outcome in the
        // dead-letter topic would strand its money, so such failures retry until the database is back.
        const databaseUnavailable = isDatabaseUnavailable(error);
        if (databaseUnavailable) {
          attempts -= 1;
          outageRetries += 1;
        } else if (attempts >= this.maxAttempts || error instanceof UnprocessableEventError) {
          return { kind: 'dead-letter', reason: reasonOf(error), attempts, error };
        }
        const retryInMs = retryDelayMs(databaseUnavailable ? outageRetries : attempts, this.retryBaseMs, this.retryMaxMs);
        this.logger.warn(
          { err: error, groupId: this.options.groupId, topic, partition, offset: message.offset, eventId: event.metadata.eventId, attempts, retryInMs },
          'Event handler failed; retrying',
        );
        await this.pause(retryInMs, heartbeat);
      }
    }
  }

  private async apply(topic: T, partition: number, message: KafkaMessage, event: EventByTopic[T]): Promise<void> {
    const { groupId } = this.options;
    const eventId = event.metadata.eventId;
    const applied = await this.options.dataSource.transaction(async (manager) => {
      if (!(await recordInbox(manager, groupId, topic, eventId))) return false;
      await this.options.handle(event, { manager, topic, partition, offset: message.offset, headers: textHeaders(message.headers) });
      return true;
    });
    if (!applied) this.logger.debug?.({ groupId, topic, partition, offset: message.offset, eventId }, 'Event already applied; skipped');
  }

  /** Waits between attempts, heartbeating so a long retry does not cost the partition assignment. */
  private async pause(ms: number, heartbeat: () => Promise<void>): Promise<void> {
    await this.wakeup.wait(ms);
    if (!this.stopping) await heartbeat();
  }

  private async deadLetter(
    { topic, partition, message }: MessageAt,
    outcome: { readonly reason: string; readonly attempts: number; readonly error: unknown },
  ): Promise<void> {
    const { groupId, service } = this.options;
    const producer = this.producer;
    if (producer === undefined) throw new Error('EventConsumer: dead-lettering after stop');
    const deadLetterTopic = deadLetterTopicOf(topic);
    await producer.send({
      topic: deadLetterTopic,
      acks: -1,
      messages: [
        {
          key: message.key,
          value: message.value,
          headers: {
            ...message.headers,
            [DEAD_LETTER_HEADERS.reason]: outcome.reason,
            [DEAD_LETTER_HEADERS.attempts]: String(outcome.attempts),
            [DEAD_LETTER_HEADERS.sourceTopic]: topic,
            [DEAD_LETTER_HEADERS.sourcePartition]: String(partition),
            [DEAD_LETTER_HEADERS.sourceOffset]: message.offset,
            [DEAD_LETTER_HEADERS.consumer]: groupId,
          },
        },
      ],
    });
    this.deadLetters?.inc({ group: groupId, topic });
    this.logger.error(
      {
        alert: DEAD_LETTER_ALERT,
        err: outcome.error,
        service,
        groupId,
        topic,
        partition,
        offset: message.offset,
        eventId: textHeaders(message.headers)[EVENT_HEADERS.eventId],
        attempts: outcome.attempts,
        deadLetterTopic,
      },
      `Event dead-lettered to ${deadLetterTopic}: ${outcome.reason}`,
    );
    // The message is parked and its alert line written: a hook that fails (the database away) must not hold the partition.
    await this.options
      .onDeadLetter?.({ groupId, topic, partition, offset: message.offset, eventId: textHeaders(message.headers)[EVENT_HEADERS.eventId], reason: outcome.reason })
      .catch((error: unknown) => this.logger.error({ err: error, groupId, topic, offset: message.offset }, 'The dead letter was parked, but its alert could not be recorded'));
  }
}

function boundedInteger(name: string, value: number, max: number, min = 1): number {
  if (!Number.isInteger(value) || value < min || value > max) throw new RangeError(`${name} must be an integer from ${min} to ${max}, got ${value}`);
  return value;
}

/** Stable: events of one key keep their order, and every slice meets the keys in the same order. */
function inKeyOrder<T extends EventTopic>(decoded: readonly DecodedMessage<T>[]): DecodedMessage<T>[] {
  const keyOf = (entry: DecodedMessage<T>): string => entry.message.key?.toString() ?? '';
  return [...decoded].sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0));
}

function reasonOf(error: unknown): string {
  const text = error instanceof Error ? `${'code' in error && typeof error.code === 'string' ? error.code : error.name}: ${error.message}` : String(error);
  return text.slice(0, MAX_REASON_TEXT);
}

function textHeaders(headers: IHeaders | undefined): Record<string, string> {
  const text: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) text[name] = first.toString();
  }
  return text;
}

/** A metric the process's registry already holds under `name` (another consumer made it), or a new one. */
function sharedMetric<M>(registry: Registry, name: string, create: () => M): M {
  return (registry.getSingleMetric(name) as M | undefined) ?? create();
}
