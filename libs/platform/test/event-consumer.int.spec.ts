import { randomUUID } from 'node:crypto';
import { deadLetterTopicOf, EVENT_TOPICS, type PaymentCompletedEvent } from '@bvs/contracts';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { DataSource } from 'typeorm';
import {
  CreateMessagingTables1764000000000,
  DEAD_LETTER_ALERT,
  EventConsumer,
  EventSchemaRegistry,
  MESSAGING_ENTITIES,
  type EventConsumerOptions,
  UnprocessableEventError,
} from '../src';
import { CapturingLogger, startGroupAtEnd, TopicTail } from '../src/messaging/testing';
import { BEYOND_SAFE_INTEGER, sampleEvent } from '../src/schema-registry/testing';
import { readInfraAddresses, TestDatabase, uniqueGroupPrefix } from '../src/testing';

/*
 * The consumer against the real broker, registry and PostgreSQL. Events are written straight to
 * the real (shared) topic, as any producer would; each test uses a fresh consumer group placed at
 * the topic's end and applies effects only for the event ids it produced itself.
 */

const TOPIC = EVENT_TOPICS.paymentCompleted;
const DEAD_LETTERS = deadLetterTopicOf(TOPIC);

describe('EventConsumer (real PostgreSQL, Kafka and registry)', () => {
  const infra = readInfraAddresses();
  let database: TestDatabase;
  let dataSource: DataSource;
  let kafka: Kafka;
  let registry: EventSchemaRegistry;
  let producer: Producer;
  let deadLetterTail: TopicTail;
  const consumers: EventConsumer<typeof TOPIC>[] = [];

  beforeAll(async () => {
    database = await TestDatabase.create('event_consumer');
    dataSource = await new DataSource({
      type: 'postgres',
      url: database.url,
      entities: [...MESSAGING_ENTITIES],
      migrations: [CreateMessagingTables1764000000000],
    }).initialize();
    await dataSource.runMigrations();
    // No unique key on purpose: a second application of an event would show as a second row.
    await dataSource.query('CREATE TABLE effects (event_id uuid NOT NULL, amount_minor numeric NOT NULL)');
    kafka = new Kafka({
      clientId: `event-consumer-it-${randomUUID().slice(0, 8)}`,
      brokers: infra.KAFKA_BROKERS.split(','),
      logLevel: logLevel.NOTHING,
      retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 2_000 },
    });
    registry = new EventSchemaRegistry(infra.SCHEMA_REGISTRY_URL);
    await registry.registerAll();
    producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
    await producer.connect();
    deadLetterTail = await TopicTail.open(kafka, [DEAD_LETTERS]);
  }, 60_000);

  afterEach(async () => {
    await Promise.all(consumers.splice(0).map((consumer) => consumer.stop()));
  });

  afterAll(async () => {
    await deadLetterTail?.close();
    await producer?.disconnect();
    await dataSource?.destroy();
    await database?.drop();
  }, 30_000);

  /** A consumer whose handler records the effect of our events; `fail` decides which attempts throw (and may pick the error). */
  async function startConsumer(
    ours: ReadonlySet<string>,
    fail: (event: PaymentCompletedEvent, attempt: number) => boolean | Error = () => false,
    options: Partial<EventConsumerOptions<typeof TOPIC>> = {},
  ): Promise<{ consumer: EventConsumer<typeof TOPIC>; groupId: string; logger: CapturingLogger; attempts: Map<string, number> }> {
    const groupId = `${uniqueGroupPrefix()}event-consumer-it`;
    await startGroupAtEnd(kafka, groupId, [TOPIC]);
    const logger = new CapturingLogger();
    const attempts = new Map<string, number>();
    const consumer = new EventConsumer({
      kafka,
      registry,
      dataSource,
      groupId,
      service: 'wallet',
      topics: [TOPIC],
      retryBaseMs: 20,
      logger,
      handle: async (event, { manager }) => {
        const { eventId } = event.metadata;
        if (!ours.has(eventId)) return;
        const attempt = (attempts.get(eventId) ?? 0) + 1;
        attempts.set(eventId, attempt);
        // Written before the failure, so a retry that did not roll back would leave two rows.
        await manager.query('INSERT INTO effects (event_id, amount_minor) VALUES ($1, $2)', [eventId, event.payload.amountMinor.toString()]);
        const verdict = fail(event, attempt);
        if (verdict instanceof Error) throw verdict;
        if (verdict) throw new Error(`handler refused ${eventId} (attempt ${attempt})`);
      },
      ...options,
    });
    consumers.push(consumer);
    await consumer.start();
    return { consumer, groupId, logger, attempts };
  }

  function paymentCompleted(walletId: string = randomUUID()): PaymentCompletedEvent {
    const event = sampleEvent(TOPIC);
    return { ...event, payload: { ...event.payload, walletId } };
  }

  async function publish(event: PaymentCompletedEvent, value?: Buffer): Promise<{ partition: number; offset: string; value: Buffer }> {
    const bytes = value ?? (await registry.encode(TOPIC, event));
    const [metadata] = await producer.send({
      topic: TOPIC,
      acks: -1,
      messages: [{ key: event.payload.walletId, value: bytes, headers: { 'event-id': event.metadata.eventId, traceparent: 'trace-of-' + event.metadata.eventId } }],
    });
    if (metadata?.baseOffset === undefined) throw new Error('no produce metadata');
    return { partition: metadata.partition, offset: metadata.baseOffset, value: bytes };
  }

  async function effectsOf(eventId: string): Promise<string[]> {
    const rows = (await dataSource.query('SELECT amount_minor FROM effects WHERE event_id = $1', [eventId])) as { amount_minor: string }[];
    return rows.map((row) => row.amount_minor);
  }

  async function until(condition: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await condition())) {
      if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  it('applies an event once; a redelivered event changes nothing', async () => {
    const event = paymentCompleted();
    const sentinel = paymentCompleted(event.payload.walletId);
    const ours = new Set([event.metadata.eventId, sentinel.metadata.eventId]);
    const { groupId } = await startConsumer(ours);

    const first = await publish(event);
    await publish(event, first.value);
    await publish(event, first.value);
    // Same key, same partition: when the sentinel is applied, both redeliveries have been handled.
    await publish(sentinel);
    await until(async () => (await effectsOf(sentinel.metadata.eventId)).length === 1);

    expect(await effectsOf(event.metadata.eventId)).toEqual([(BEYOND_SAFE_INTEGER + 2n).toString()]);
    await expect(dataSource.query('SELECT consumer, topic FROM inbox WHERE event_id = $1', [event.metadata.eventId])).resolves.toEqual([
      { consumer: groupId, topic: TOPIC },
    ]);
  });

  it('retries a failing handler with backoff and applies the event once it succeeds', async () => {
    const event = paymentCompleted();
    const { attempts, logger } = await startConsumer(new Set([event.metadata.eventId]), (_event, attempt) => attempt <= 2);
    await publish(event);
    await until(async () => (await effectsOf(event.metadata.eventId)).length === 1);

    expect(attempts.get(event.metadata.eventId)).toBe(3);
    expect(logger.lines.filter((line) => line.level === 'warn' && line.fields['eventId'] === event.metadata.eventId)).toHaveLength(2);
    expect(logger.lines.filter((line) => line.fields['alert'] === DEAD_LETTER_ALERT)).toEqual([]);
  });

  it('dead-letters an event its handler always refuses, with the original bytes and why, and carries on', async () => {
    const poison = paymentCompleted();
    const next = paymentCompleted(poison.payload.walletId);
    const ours = new Set([poison.metadata.eventId, next.metadata.eventId]);
    const { consumer, groupId, logger, attempts } = await startConsumer(ours, (event) => event.metadata.eventId === poison.metadata.eventId, {
      maxAttempts: 3,
    });

    const sent = await publish(poison);
    await publish(next);
    await until(async () => (await effectsOf(next.metadata.eventId)).length === 1);

    const [parked] = await deadLetterTail.waitFor(
      (message) => message.headers['event-id'] === poison.metadata.eventId,
      (matched) => matched.length >= 1,
    );
    expect(parked?.value?.equals(sent.value)).toBe(true);
    expect(parked?.key).toBe(poison.payload.walletId);
    expect(parked?.headers).toEqual({
      'event-id': poison.metadata.eventId,
      traceparent: `trace-of-${poison.metadata.eventId}`,
      'dlq-reason': expect.stringContaining(`handler refused ${poison.metadata.eventId}`),
      'dlq-attempts': '3',
      'dlq-source-topic': TOPIC,
      'dlq-source-partition': String(sent.partition),
      'dlq-source-offset': sent.offset,
      'dlq-consumer': groupId,
    });
    expect(attempts.get(poison.metadata.eventId)).toBe(3);
    // Every attempt rolled back: neither the effect nor the inbox mark of the poison survived.
    expect(await effectsOf(poison.metadata.eventId)).toEqual([]);
    await expect(dataSource.query('SELECT 1 FROM inbox WHERE event_id = $1', [poison.metadata.eventId])).resolves.toEqual([]);
    const alerts = logger.lines.filter((line) => line.fields['alert'] === DEAD_LETTER_ALERT);
    expect(alerts).toEqual([
      expect.objectContaining({
        level: 'error',
        fields: expect.objectContaining({ groupId, topic: TOPIC, eventId: poison.metadata.eventId, attempts: 3, offset: sent.offset }),
      }),
    ]);

    // The partition moved on: the committed offset is past the poison.
    await consumer.stop();
    const admin = kafka.admin();
    await admin.connect();
    try {
      const [committed] = await admin.fetchOffsets({ groupId, topics: [TOPIC] });
      const offset = committed?.partitions.find((partition) => partition.partition === sent.partition)?.offset;
      expect(BigInt(offset ?? '-1')).toBeGreaterThan(BigInt(sent.offset));
    } finally {
      await admin.disconnect();
    }
  });

  it('dead-letters at once, without retries, an event the handler calls unprocessable', async () => {
    const unknown = paymentCompleted();
    const next = paymentCompleted(unknown.payload.walletId);
    const { attempts } = await startConsumer(
      new Set([unknown.metadata.eventId, next.metadata.eventId]),
      (event) => (event.metadata.eventId === unknown.metadata.eventId ? new UnprocessableEventError('no such payment here') : false),
      { maxAttempts: 5 },
    );
    await publish(unknown);
    await publish(next);
    await until(async () => (await effectsOf(next.metadata.eventId)).length === 1);
    const [parked] = await deadLetterTail.waitFor(
      (message) => message.headers['event-id'] === unknown.metadata.eventId,
      (matched) => matched.length >= 1,
    );
    expect(parked?.headers['dlq-attempts']).toBe('1');
    expect(parked?.headers['dlq-reason']).toContain('no such payment here');
    expect(attempts.get(unknown.metadata.eventId)).toBe(1);
  });

  it('dead-letters a message it cannot decode at once, without calling the handler', async () => {
    const walletId = randomUUID();
    const garbage = { ...paymentCompleted(walletId) };
    const next = paymentCompleted(walletId);
    const { logger, attempts } = await startConsumer(new Set([garbage.metadata.eventId, next.metadata.eventId]));

    await publish(garbage, Buffer.from('definitely not a wire-format Avro message'));
    await publish(next);
    await until(async () => (await effectsOf(next.metadata.eventId)).length === 1);

    const [parked] = await deadLetterTail.waitFor(
      (message) => message.headers['event-id'] === garbage.metadata.eventId,
      (matched) => matched.length >= 1,
    );
    expect(parked?.headers['dlq-attempts']).toBe('0');
    expect(parked?.headers['dlq-reason']).toMatch(/^SCHEMA_REGISTRY\.MALFORMED_MESSAGE/);
    expect(parked?.value?.toString()).toBe('definitely not a wire-format Avro message');
    expect(attempts.has(garbage.metadata.eventId)).toBe(false);
    expect(logger.lines.filter((line) => line.fields['alert'] === DEAD_LETTER_ALERT)).toHaveLength(1);
  });
});
