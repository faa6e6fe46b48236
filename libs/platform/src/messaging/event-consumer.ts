import { deadLetterTopicOf, type EventByTopic, type EventTopic } from '@bvs/contracts';
import { Logger } from '@nestjs/common';
import type { Consumer, EachMessagePayload, IHeaders, Kafka, KafkaMessage, Producer } from 'kafkajs';
import type { DataSource, EntityManager } from 'typeorm';
import { ensureTopics, waitForConsumerGroup } from '../kafka';
import { SchemaRegistryError, type EventSchemaRegistry } from '../schema-registry';
import { DEAD_LETTER_ALERT, DEAD_LETTER_HEADERS, EVENT_HEADERS } from './messaging-constants';
import type { MessagingLogger } from './messaging-logger';
import { recordInbox } from './record-inbox';
import { retryDelayMs, Wakeup } from './wakeup';
import { UnprocessableEventError } from './unprocessable-event.error';

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
  /** Handler attempts per message before it is dead-lettered. Default 5. */
  readonly maxAttempts?: number;
  /** First retry delay; doubles per attempt, with jitter. Default 200. */
  readonly retryBaseMs?: number;
  /** Cap of one retry delay. Default 5 000 (keeps all retries well inside the session timeout's heartbeats). */
  readonly retryMaxMs?: number;
  /** How long start() waits for the group to join. Default 60 000. */
  readonly joinTimeoutMs?: number;
  /**
   * How long the group waits for a member that stopped heartbeating (kill -9, a lost node) before
   * its partitions move. Default 10 000: a crash stalls its partitions at most this long. A clean
   * stop leaves the group at once and moves them immediately.
   */
  readonly sessionTimeoutMs?: number;
  readonly logger?: MessagingLogger;
}

const DEFAULT_SESSION_TIMEOUT_MS = 10_000;
/** A third of the session timeout or less, as Kafka requires, with room for a missed beat. */
const HEARTBEAT_INTERVAL_MS = 1_000;

type Outcome = { readonly kind: 'applied' | 'interrupted' } | { readonly kind: 'dead-letter'; readonly reason: string; readonly attempts: number; readonly error: unknown };

const MAX_REASON_TEXT = 1_000;

/**
 * Consumes integration events and applies each exactly once per consumer group, at least once
 * delivered:
 *
 * 1. decode the value with the registry into the topic's contract type;
 * 2. in ONE database transaction, record (group, event id) in the inbox and, if it is new, run the
 *    handler with that transaction's manager; a redelivery commits nothing but the no-op;
 * 3. after the commit, commit the Kafka offset (auto-commit is off). A crash in between redelivers
 *    the message, and step 2 turns it into a no-op.
 *
 * A failing handler is retried in-process with exponential backoff and jitter, up to
 * `maxAttempts`; then the message (original bytes, key and headers, plus `dlq-*` headers saying
 * why) goes to `<topic>.dlq`, an error line with `alert: 'DEAD_LETTER'` is logged, and the offset
 * is committed so the partition moves on. A message that cannot be decoded (malformed bytes, an
 * unknown schema, another event's schema) goes there at once: retrying cannot fix it. A registry
 * that is unreachable is not the message's fault: decoding is retried, with capped backoff, until
 * it answers or the consumer stops (the partition waits, nothing is dead-lettered).
 *
 * One partition is processed at a time, message by message, so a key's events are applied in order.
 */
export class EventConsumer<T extends EventTopic = EventTopic> {
  private readonly logger: MessagingLogger;
  private readonly maxAttempts: number;
  private readonly retryBaseMs: number;
  private readonly retryMaxMs: number;
  private consumer: Consumer | undefined;
  private producer: Producer | undefined;
  private wakeup = new Wakeup();
  private stopping = false;

  constructor(private readonly options: EventConsumerOptions<T>) {
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
  }

  /**
   * Creates the topics and their dead-letter twins, joins the group and resolves once it has
   * settled. A group with no committed offsets starts from the beginning of each topic, so nothing
   * published before its first start is skipped.
   */
  async start(): Promise<void> {
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
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      this.logger.error({ err: payload.error, groupId, restart: payload.restart }, 'Event consumer crashed');
    });
    // Set before run(): messages may arrive (and need the dead-letter producer) before the group settles.
    this.consumer = consumer;
    this.producer = producer;
    try {
      await producer.connect();
      await consumer.connect();
      await consumer.subscribe({ topics: [...topics], fromBeginning: true });
      await consumer.run({ autoCommit: false, eachMessage: (payload) => this.process(consumer, payload) });
      await waitForConsumerGroup(kafka, groupId, this.options.joinTimeoutMs ?? 60_000);
    } catch (error) {
      await this.stop().catch(() => undefined);
      throw error;
    }
  }

  /** Cuts retries short (their messages stay uncommitted and come back), leaves the group, disconnects. */
  async stop(): Promise<void> {
    const { consumer, producer } = this;
    if (consumer === undefined) return;
    this.stopping = true;
    this.wakeup.wake();
    await consumer.disconnect();
    await producer?.disconnect();
    this.consumer = undefined;
    this.producer = undefined;
  }

  private async process(consumer: Consumer, payload: EachMessagePayload): Promise<void> {
    const { topic, partition, message } = payload;
    const outcome = await this.applyWithRetries(payload);
    if (outcome.kind === 'interrupted') return;
    if (outcome.kind === 'dead-letter') await this.deadLetter(payload, outcome);
    await consumer.commitOffsets([{ topic, partition, offset: (BigInt(message.offset) + 1n).toString() }]);
  }

  private async applyWithRetries({ topic, partition, message, heartbeat }: EachMessagePayload): Promise<Outcome> {
    const source = topic as T;
    let event: EventByTopic[T] | undefined;
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
    { topic, partition, message }: EachMessagePayload,
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
  }
}

/** Connection-level failures (refused, reset, server shutting down), not anything the SQL or the data did. */
export function isDatabaseUnavailable(error: unknown): boolean {
  const candidate = (error as { driverError?: unknown }).driverError ?? error;
  const code = (candidate as { code?: unknown }).code;
  if (typeof code !== 'string') return false;
  // SQLSTATE class 08 (connection exception), 57P01-57P03 (shutdown, crash, cannot connect now).
  if (code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03') return true;
  return ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND'].includes(code);
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
