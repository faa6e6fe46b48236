import { randomUUID } from 'node:crypto';
import { deadLetterTopicOf, EVENT_TOPICS, type PaymentCompletedEvent } from '@bvs/contracts';
import { Kafka, type Producer } from 'kafkajs';
import { Registry } from 'prom-client';
import { DataSource, EntityManager } from 'typeorm';
import {
  AddOutboxTraceparent1765300000000,
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
import { readInfraAddresses, TestDatabase, testKafkaConfig, uniqueGroupPrefix } from '../src/testing';

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
      migrations: [CreateMessagingTables1764000000000, AddOutboxTraceparent1765300000000],
    }).initialize();
    await dataSource.runMigrations();
    // No unique key on purpose: a second application of an event would show as a second row.
    await dataSource.query(
      'CREATE TABLE effects (seq bigserial, event_id uuid NOT NULL, wallet_id text NOT NULL, amount_minor numeric NOT NULL, tx bigint NOT NULL DEFAULT txid_current())',
    );
    kafka = new Kafka({
      ...testKafkaConfig(`event-consumer-it-${randomUUID().slice(0, 8)}`),
      retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 2_000 },
    });
    registry = new EventSchemaRegistry(infra.SCHEMA_REGISTRY_URL);
    await registry.resolveAll();
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
    /** Runs once the group is placed at the topic's end, before the consumer starts. */
    beforeStart: () => Promise<void> = async () => undefined,
    /** An existing group, which reads on from its committed offsets; by default a new group placed at the topic's end. */
    existingGroupId?: string,
  ): Promise<{ consumer: EventConsumer<typeof TOPIC>; groupId: string; logger: CapturingLogger; attempts: Map<string, number> }> {
    const groupId = existingGroupId ?? `${uniqueGroupPrefix()}event-consumer-it`;
    if (existingGroupId === undefined) await startGroupAtEnd(kafka, groupId, [TOPIC]);
    await beforeStart();
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
        await manager.query('INSERT INTO effects (event_id, wallet_id, amount_minor) VALUES ($1, $2, $3)', [
          eventId,
          event.payload.walletId,
          event.payload.amountMinor.toString(),
        ]);
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

  /** Writes the events in one produce request, so a consumer that starts afterwards fetches them in one batch. */
  async function publishAll(events: readonly PaymentCompletedEvent[]): Promise<void> {
    const messages = await Promise.all(
      events.map(async (event) => ({ key: event.payload.walletId, value: await registry.encode(TOPIC, event), headers: { 'event-id': event.metadata.eventId } })),
    );
    await producer.send({ topic: TOPIC, acks: -1, messages });
  }

  interface Effect {
    readonly eventId: string;
    readonly walletId: string;
    readonly tx: string;
  }

  /** Our events' effects in the order they were applied. */
  async function effectsInOrder(eventIds: readonly string[]): Promise<Effect[]> {
    const rows: { event_id: string; wallet_id: string; tx: string }[] = await dataSource.query(
      'SELECT event_id, wallet_id, tx FROM effects WHERE event_id = ANY($1::uuid[]) ORDER BY seq',
      [eventIds],
    );
    return rows.map((row) => ({ eventId: row.event_id, walletId: row.wallet_id, tx: row.tx }));
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

  it('given the process died after the events were applied and before their offsets were committed, then the restarted group reads them again and applies none twice', async () => {
    const walletId = randomUUID();
    const events = [paymentCompleted(walletId), paymentCompleted(walletId), paymentCompleted(walletId)];
    const sentinel = paymentCompleted(walletId);
    const ours = new Set([...events, sentinel].map((event) => event.metadata.eventId));
    const eventIds = events.map((event) => event.metadata.eventId);
    const before = await startConsumer(ours);
    const first = await publish(events[0] as PaymentCompletedEvent);
    await publishAll(events.slice(1));
    await until(async () => (await effectsInOrder(eventIds)).length === events.length);
    await before.consumer.stop();

    // What a kill between the transaction's commit and commitOffsets leaves: the effects are in
    // the database, the group's offset still points at the first of the events.
    const admin = kafka.admin();
    await admin.connect();
    const committedOffset = async (): Promise<string | undefined> =>
      (await admin.fetchOffsets({ groupId: before.groupId, topics: [TOPIC] }))[0]?.partitions.find((entry) => entry.partition === first.partition)?.offset;
    try {
      await admin.setOffsets({ groupId: before.groupId, topic: TOPIC, partitions: [{ partition: first.partition, offset: first.offset }] });
      expect(await committedOffset()).toBe(first.offset);

      const after = await startConsumer(ours, () => false, {}, async () => undefined, before.groupId);
      const { offset: sentinelOffset } = await publish(sentinel);
      await until(async () => (await effectsOf(sentinel.metadata.eventId)).length === 1);
      await until(async () => (await committedOffset()) === (BigInt(sentinelOffset) + 1n).toString());

      // The group read from the rewound offset through the sentinel, so it was handed every event again.
      expect((await effectsInOrder(eventIds)).map((effect) => effect.eventId)).toEqual(eventIds);
      expect([...after.attempts.keys()]).toEqual([sentinel.metadata.eventId]);
    } finally {
      await admin.disconnect();
    }
  });

  it('given events applied moments before a stop, when it stops, then their offsets are committed before it leaves the group', async () => {
    const walletId = randomUUID();
    const events = Array.from({ length: 5 }, () => paymentCompleted(walletId));
    const eventIds = events.map((event) => event.metadata.eventId);
    const { consumer, groupId } = await startConsumer(new Set(eventIds));
    const sent = [];
    for (const event of events) sent.push(await publish(event));
    const { partition, offset: last } = sent.at(-1) as { partition: number; offset: string };
    await until(async () => (await effectsInOrder(eventIds)).length === events.length);
    // Straight away, mostly well inside OFFSET_COMMIT_INTERVAL_MS of the last slice: then only stop() commits it.
    await consumer.stop();

    const admin = kafka.admin();
    await admin.connect();
    try {
      const [committed] = await admin.fetchOffsets({ groupId, topics: [TOPIC] });
      const offset = committed?.partitions.find((entry) => entry.partition === partition)?.offset;
      expect(offset).toBe((BigInt(last) + 1n).toString());
    } finally {
      await admin.disconnect();
    }
  });

  it('reports lag only for the partitions a member reads: a rebalance and a stop take the others away', async () => {
    const firstMetrics = new Registry();
    const secondMetrics = new Registry();
    const beforeJoin = Array.from({ length: 24 }, () => paymentCompleted());
    const afterJoin = Array.from({ length: 24 }, () => paymentCompleted());
    const ours = new Set([...beforeJoin, ...afterJoin].map((event) => event.metadata.eventId));
    const idsOf = (events: readonly PaymentCompletedEvent[]) => events.map((event) => event.metadata.eventId);
    const partitionsWithLag = async (metrics: Registry, groupId: string): Promise<Set<string>> => {
      const lag = await metrics.getSingleMetric('bvs_kafka_consumer_lag_messages')?.get();
      return new Set((lag?.values ?? []).filter((value) => value.labels['group'] === groupId).map((value) => String(value.labels['partition'])));
    };

    const first = await startConsumer(ours, () => false, { metrics: firstMetrics });
    await publishAll(beforeJoin);
    await until(async () => (await effectsInOrder(idsOf(beforeJoin))).length === beforeJoin.length);
    // 24 keys over the topic's partitions: the only member read several.
    expect((await partitionsWithLag(firstMetrics, first.groupId)).size).toBeGreaterThan(1);

    // A second member joins and the group splits the partitions; both read the events written after.
    await startConsumer(ours, () => false, { metrics: secondMetrics }, async () => undefined, first.groupId);
    await publishAll(afterJoin);
    await until(async () => (await effectsInOrder(idsOf(afterJoin))).length === afterJoin.length);
    const ofFirst = await partitionsWithLag(firstMetrics, first.groupId);
    const ofSecond = await partitionsWithLag(secondMetrics, first.groupId);
    expect(ofSecond.size).toBeGreaterThan(0);
    expect([...ofFirst].filter((partition) => ofSecond.has(partition))).toEqual([]);

    await first.consumer.stop();
    expect((await partitionsWithLag(firstMetrics, first.groupId)).size).toBe(0);
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

  describe('applying fetched events together', () => {
    /** Events of three wallets, interleaved: one wallet's events must keep their order. */
    function interleavedEvents(perWallet: number): PaymentCompletedEvent[] {
      const wallets = [randomUUID(), randomUUID(), randomUUID()];
      return Array.from({ length: perWallet * wallets.length }, (_, index) => paymentCompleted(wallets[index % wallets.length]));
    }

    /** The group is placed at the topic's end before the events are written, so its first fetch holds them all. */
    function startAfterPublishing(
      events: readonly PaymentCompletedEvent[],
      fail: Parameters<typeof startConsumer>[1],
      options: Partial<EventConsumerOptions<typeof TOPIC>>,
    ): ReturnType<typeof startConsumer> {
      const ours = new Set(events.map((event) => event.metadata.eventId));
      return startConsumer(ours, fail, options, () => publishAll(events));
    }

    it('applies a fetched batch in transactions of at most maxEventsPerTransaction events, each key in its order', async () => {
      const events = interleavedEvents(4);
      await startAfterPublishing(events, () => false, { maxEventsPerTransaction: 5 });
      const ids = events.map((event) => event.metadata.eventId);
      await until(async () => (await effectsInOrder(ids)).length === events.length);

      const effects = await effectsInOrder(ids);
      // 12 events fetched together, 5 to a transaction: 3 transactions, not 12.
      expect(new Set(effects.map((effect) => effect.tx)).size).toBe(3);
      for (const walletId of new Set(events.map((event) => event.payload.walletId))) {
        const published = events.filter((event) => event.payload.walletId === walletId).map((event) => event.metadata.eventId);
        expect(effects.filter((effect) => effect.walletId === walletId).map((effect) => effect.eventId)).toEqual(published);
      }
    });

    it('given events of many partitions fetched together, then they share one transaction instead of one each', async () => {
      const events = Array.from({ length: 24 }, () => paymentCompleted());
      let partitions = 0;
      await startConsumer(new Set(events.map((event) => event.metadata.eventId)), () => false, {}, async () => {
        const messages = await Promise.all(events.map(async (event) => ({ key: event.payload.walletId, value: await registry.encode(TOPIC, event) })));
        partitions = (await producer.send({ topic: TOPIC, acks: -1, messages })).length;
      });
      const ids = events.map((event) => event.metadata.eventId);
      await until(async () => (await effectsInOrder(ids)).length === events.length);

      expect(partitions).toBeGreaterThan(1);
      expect(new Set((await effectsInOrder(ids)).map((effect) => effect.tx)).size).toBe(1);
    });

    it('given a minimum fetch interval, when events trickle in one produce at a time, then those of one interval share a transaction', async () => {
      const walletId = randomUUID();
      const opener = paymentCompleted(walletId);
      const trickle = Array.from({ length: 5 }, () => paymentCompleted(walletId));
      await startConsumer(new Set([opener, ...trickle].map((event) => event.metadata.eventId)), () => false, { minFetchIntervalMs: 1_000 });
      await publish(opener);
      await until(async () => (await effectsOf(opener.metadata.eventId)).length === 1);

      // The next fetch waits out a second from the opener's, and five produces take far less.
      for (const event of trickle) await publish(event);
      const ids = trickle.map((event) => event.metadata.eventId);
      await until(async () => (await effectsInOrder(ids)).length === trickle.length);

      expect(new Set((await effectsInOrder(ids)).map((effect) => effect.tx)).size).toBe(1);
    });

    it('when one event of a batch always fails, applies the others once and dead-letters it after exactly maxAttempts attempts', async () => {
      const events = interleavedEvents(3);
      const poison = events[4];
      if (poison === undefined) throw new Error('no poison event');
      const { attempts } = await startAfterPublishing(events, (event) => event.metadata.eventId === poison.metadata.eventId, {
        maxAttempts: 3,
        maxEventsPerTransaction: 100,
      });
      const others = events.filter((event) => event !== poison).map((event) => event.metadata.eventId);
      const [parked] = await deadLetterTail.waitFor(
        (message) => message.headers['event-id'] === poison.metadata.eventId,
        (matched) => matched.length >= 1,
      );
      await until(async () => (await effectsInOrder(others)).length === others.length);

      // The failed attempt inside the shared transaction counts as the first of its three.
      expect(parked?.headers['dlq-attempts']).toBe('3');
      expect(attempts.get(poison.metadata.eventId)).toBe(3);
      expect((await effectsInOrder(others)).map((effect) => effect.eventId).sort()).toEqual([...others].sort());
      expect(await effectsOf(poison.metadata.eventId)).toEqual([]);
      const inbox: { event_id: string }[] = await dataSource.query('SELECT event_id FROM inbox WHERE event_id = ANY($1::uuid[])', [
        events.map((event) => event.metadata.eventId),
      ]);
      expect(inbox.map((row) => row.event_id).sort()).toEqual([...others].sort());
    });

    it('applies an event that appears twice in one batch once', async () => {
      const event = paymentCompleted();
      const after = paymentCompleted(event.payload.walletId);
      await startAfterPublishing([event, event, after], () => false, {});
      await until(async () => (await effectsOf(after.metadata.eventId)).length === 1);
      expect(await effectsOf(event.metadata.eventId)).toHaveLength(1);
    });

    describe('with a slice handler', () => {
      const recordEffects = (manager: EntityManager, events: readonly PaymentCompletedEvent[]) =>
        manager.query('INSERT INTO effects (event_id, wallet_id, amount_minor) SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::bigint[])', [
          events.map((event) => event.metadata.eventId),
          events.map((event) => event.payload.walletId),
          events.map((event) => event.payload.amountMinor.toString()),
        ]);

      it('hands each fetched slice to handleSlice in one call, with every new event once', async () => {
        const events = interleavedEvents(3);
        const calls: string[][] = [];
        await startAfterPublishing([...events, events[0] as PaymentCompletedEvent], () => false, {
          handleSlice: async (_topic, slice, manager) => {
            calls.push(slice.map(({ event }) => event.metadata.eventId));
            await recordEffects(
              manager,
              slice.map(({ event }) => event),
            );
          },
        });
        const ids = events.map((event) => event.metadata.eventId);
        await until(async () => (await effectsInOrder(ids)).length === events.length);
        expect(calls.flat().sort()).toEqual([...ids].sort());
        // One call per partition's slice, never one per event.
        expect(calls.length).toBeLessThan(events.length);
      });

      it('applies the events one by one with handle when handleSlice throws, each once', async () => {
        const events = interleavedEvents(2);
        let sliceCalls = 0;
        await startAfterPublishing(events, () => false, {
          handleSlice: async (_topic, slice, manager) => {
            sliceCalls += 1;
            // Written, then rolled back with the slice: nothing of it may remain.
            await recordEffects(
              manager,
              slice.map(({ event }) => event),
            );
            throw new Error('this slice cannot be applied together');
          },
        });
        const ids = events.map((event) => event.metadata.eventId);
        await until(async () => (await effectsInOrder(ids)).length === events.length);
        expect(sliceCalls).toBeGreaterThan(0);
        for (const id of ids) expect(await effectsOf(id)).toHaveLength(1);
      });
    });
  });
});
