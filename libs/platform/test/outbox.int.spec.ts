import { randomUUID } from 'node:crypto';
import { EVENT_TOPICS, type PaymentRequestedEvent } from '@bvs/contracts';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { AlwaysOnSampler, InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { Kafka } from 'kafkajs';
import { DataSource } from 'typeorm';
import {
  AddOutboxTraceparent1765300000000,
  CreateMessagingTables1764000000000,
  enqueueEvent,
  EventConsumer,
  EventSchemaRegistry,
  EventValidationError,
  MESSAGING_ENTITIES,
  OutboxRelay,
  type OutboxRelayOptions,
} from '../src';
import { contextFromTraceparent } from '../src/tracing/trace-context';
import { CapturingLogger, startGroupAtEnd, TopicTail, type TailedMessage } from '../src/messaging/testing';
import { BEYOND_SAFE_INTEGER, sampleEvent } from '../src/schema-registry/testing';
import { eventually, readInfraAddresses, TestDatabase, testKafkaConfig, uniqueGroupPrefix } from '../src/testing';

/*
 * The outbox against real PostgreSQL (a database of its own), the real broker and the real registry.
 * The relay publishes to the real event topic, shared with other tests and services, so every
 * assertion about Kafka looks only at the event ids this file produced.
 */

const TOPIC = EVENT_TOPICS.paymentRequested;

describe('Transactional outbox (real PostgreSQL, Kafka and registry)', () => {
  const infra = readInfraAddresses();
  let database: TestDatabase;
  let dataSource: DataSource;
  let kafka: Kafka;
  let registry: EventSchemaRegistry;
  let tail: TopicTail;
  const relays: OutboxRelay[] = [];
  // What the SDK registers in a service, recording every span here so the relay's can be read back.
  const spans = new InMemorySpanExporter();

  beforeAll(async () => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    trace.setGlobalTracerProvider(new TracerProvider({ sampler: new AlwaysOnSampler(), spanProcessors: [new SimpleSpanProcessor({ exporter: spans })] }));
    database = await TestDatabase.create('outbox');
    dataSource = await new DataSource({
      type: 'postgres',
      url: database.url,
      entities: [...MESSAGING_ENTITIES],
      migrations: [CreateMessagingTables1764000000000, AddOutboxTraceparent1765300000000],
    }).initialize();
    await dataSource.runMigrations();
    kafka = new Kafka({
      ...testKafkaConfig(`outbox-it-${randomUUID().slice(0, 8)}`),
      retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 2_000 },
    });
    registry = new EventSchemaRegistry(infra.SCHEMA_REGISTRY_URL);
    await registry.resolveAll();
    tail = await TopicTail.open(kafka, [TOPIC]);
  }, 60_000);

  afterEach(async () => {
    await Promise.all(relays.splice(0).map((relay) => relay.stop()));
  });

  afterAll(async () => {
    await tail?.close();
    await dataSource?.destroy();
    await database?.drop();
    trace.disable();
    context.disable();
  }, 30_000);

  function relay(options: Partial<OutboxRelayOptions> = {}): OutboxRelay {
    const created = new OutboxRelay({ dataSource, kafka, registry, service: 'wallet', logger: new CapturingLogger(), ...options });
    relays.push(created);
    return created;
  }

  function paymentRequested(walletId: string = randomUUID()): PaymentRequestedEvent {
    const event = sampleEvent(TOPIC);
    return { ...event, payload: { ...event.payload, walletId } };
  }

  async function commit(...events: PaymentRequestedEvent[]): Promise<void> {
    await dataSource.transaction(async (manager) => {
      for (const event of events) await enqueueEvent(manager, TOPIC, event);
    });
  }

  function withIds(ids: readonly string[]): (message: TailedMessage) => boolean {
    const wanted = new Set(ids);
    return (message) => wanted.has(message.headers['event-id'] ?? '');
  }

  async function unpublished(): Promise<number> {
    const [row] = (await dataSource.query('SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL')) as { n: number }[];
    return row?.n ?? -1;
  }

  /** Waits until every row of the outbox is published. */
  async function allPublished(timeoutMs = 20_000): Promise<void> {
    await eventually(async () => ((await unpublished()) === 0 ? true : undefined), 'every outbox row to be published', timeoutMs);
  }

  it('creates tables that the entities describe exactly (no schema drift)', async () => {
    const pending = await dataSource.driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((query) => query.query)).toEqual([]);
  });

  it('publishes an event enqueued in a committed transaction; it decodes equal, bigint amounts intact', async () => {
    const event = paymentRequested();
    await dataSource.transaction((manager) => enqueueEvent(manager, TOPIC, event));

    await expect(relay().drain()).resolves.toBe(1);

    const [message] = await tail.waitFor(withIds([event.metadata.eventId]), (matched) => matched.length >= 1);
    if (message?.value === null || message === undefined) throw new Error('no value published');
    const decoded = await registry.decodeEvent(TOPIC, message.value);
    expect(decoded).toEqual(event);
    expect(decoded.payload.amountMinor).toBe(BEYOND_SAFE_INTEGER + 2n);
    expect(message.key).toBe(event.payload.walletId);
    expect(message.headers).toEqual({
      'event-id': event.metadata.eventId,
      'event-type': 'PaymentRequested',
      'correlation-id': event.metadata.correlationId,
      // Written outside any trace, it is sent as the start of one.
      traceparent: expect.stringMatching(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/),
    });
    const [row] = (await dataSource.query('SELECT published_at, attempts, last_error, payload FROM outbox WHERE event_id = $1', [
      event.metadata.eventId,
    ])) as { published_at: Date | null; attempts: number; last_error: string | null; payload: { payload: { amountMinor: unknown } } }[];
    expect(row).toMatchObject({ attempts: 0, last_error: null });
    expect(row?.published_at).toBeInstanceOf(Date);
    // Stored as a decimal string: a jsonb number would have been rounded to a double.
    expect(row?.payload.payload.amountMinor).toBe((BEYOND_SAFE_INTEGER + 2n).toString());
  });


  it('publishes an event under the trace that wrote it, in a send span whose id the traceparent header carries', async () => {
    const event = paymentRequested();
    const writer = { traceId: randomUUID().replace(/-/g, ''), spanId: randomUUID().replace(/-/g, '').slice(0, 16) };
    const writerTraceparent = `00-${writer.traceId}-${writer.spanId}-01`;
    // A header the writer sets cannot speak for the trace: the relay names its own send span.
    await context.with(contextFromTraceparent(writerTraceparent), () =>
      dataSource.transaction((manager) => enqueueEvent(manager, TOPIC, event, { headers: { traceparent: 'forged' } })),
    );
    const [row] = (await dataSource.query('SELECT traceparent FROM outbox WHERE event_id = $1', [event.metadata.eventId])) as { traceparent: string | null }[];
    expect(row?.traceparent).toBe(writerTraceparent);

    // Drained outside any trace, as the relay's own loop runs.
    await expect(relay().drain()).resolves.toBe(1);

    const send = spans.getFinishedSpans().find((span) => span.name === `send ${TOPIC}` && span.attributes['messaging.message.id'] === event.metadata.eventId);
    expect(send?.spanContext().traceId).toBe(writer.traceId);
    expect(send?.parentSpanContext?.spanId).toBe(writer.spanId);
    const [message] = await tail.waitFor(withIds([event.metadata.eventId]), (matched) => matched.length >= 1);
    expect(message?.headers['traceparent']).toBe(`00-${writer.traceId}-${send?.spanContext().spanId}-01`);
  });
  it('never publishes an event whose transaction rolled back', async () => {
    const rolledBack = paymentRequested();
    const failure = await dataSource
      .transaction(async (manager) => {
        await enqueueEvent(manager, TOPIC, rolledBack);
        throw new Error('the business write failed after the event was enqueued');
      })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(Error);
    await expect(dataSource.query('SELECT 1 FROM outbox WHERE event_id = $1', [rolledBack.metadata.eventId])).resolves.toEqual([]);

    // A later committed event on the same key is published; the rolled-back one never is.
    const committed = paymentRequested(rolledBack.payload.walletId);
    await commit(committed);
    await expect(relay().drain()).resolves.toBe(1);
    await tail.waitFor(withIds([committed.metadata.eventId]), (matched) => matched.length === 1);
    expect(tail.messages.filter(withIds([rolledBack.metadata.eventId]))).toEqual([]);
  });

  it('refuses, writing nothing, an event outside a transaction or not fitting its topic', async () => {
    const outside = paymentRequested();
    await expect(enqueueEvent(dataSource.manager, TOPIC, outside)).rejects.toThrow(/open transaction/);

    const floatAmount = paymentRequested();
    const invalid = { ...floatAmount, payload: { ...floatAmount.payload, amountMinor: 1500 as unknown as bigint } };
    await expect(dataSource.transaction((manager) => enqueueEvent(manager, TOPIC, invalid))).rejects.toBeInstanceOf(EventValidationError);

    const wrongType = paymentRequested();
    const mislabelled = { ...wrongType, metadata: { ...wrongType.metadata, eventType: 'PaymentCompleted' } } as unknown as PaymentRequestedEvent;
    await expect(dataSource.transaction((manager) => enqueueEvent(manager, TOPIC, mislabelled))).rejects.toBeInstanceOf(EventValidationError);

    await expect(dataSource.query('SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL')).resolves.toEqual([{ n: 0 }]);
  });

  it('keeps the order of each key across batches: 50 events over 3 keys', async () => {
    const keys = [randomUUID(), randomUUID(), randomUUID()];
    const events = Array.from({ length: 50 }, (_, index) => paymentRequested(keys[index % keys.length]));
    // Some transactions hold one event, some several, as services will write them.
    for (let index = 0; index < events.length; ) {
      const size = index % 4 === 0 ? 5 : 1;
      await commit(...events.slice(index, index + size));
      index += size;
    }
    await relay({ batchSize: 7, pollIntervalMs: 100 }).start();

    const ids = events.map((event) => event.metadata.eventId);
    const received = await tail.waitFor(withIds(ids), (matched) => matched.length >= ids.length);
    expect(received).toHaveLength(50);
    for (const key of keys) {
      const sent = events.filter((event) => event.payload.walletId === key).map((event) => event.metadata.eventId);
      const arrived = received.filter((message) => message.key === key);
      expect(arrived.map((message) => message.headers['event-id'])).toEqual(sent);
      expect(new Set(arrived.map((message) => message.partition)).size).toBe(1);
    }
  });

  it('wakes on the commit NOTIFY instead of waiting out a 10 s poll interval', async () => {
    const idle = relay({ pollIntervalMs: 10_000 });
    await idle.start();
    // drain() runs only after the round the background loop has in progress (the two never publish
    // at the same time), so once it answers the first round is over and, the relay being active,
    // its loop is asleep in the 10 s wait.
    await expect(idle.drain()).resolves.toBe(0);
    expect(idle.isActive).toBe(true);

    const event = paymentRequested();
    await commit(event);
    // Half the poll interval: only the NOTIFY can have woken the relay in time.
    await allPublished(5_000);
    await tail.waitFor(withIds([event.metadata.eventId]), (matched) => matched.length === 1);
  });

  it('given a minimum round interval, when commits trickle in after a round, then the next round publishes them together', async () => {
    const spaced = relay({ pollIntervalMs: 10_000, minRoundIntervalMs: 1_000 });
    await spaced.start();
    const opener = paymentRequested();
    await commit(opener);
    await allPublished(5_000);

    // Each commit NOTIFYs at once, but no round may start within a second of the opener's, and three commits take far less.
    const trickle = [paymentRequested(), paymentRequested(), paymentRequested()];
    for (const event of trickle) await commit(event);
    await allPublished();

    const ids = trickle.map((event) => event.metadata.eventId);
    const marks = (await dataSource.query('SELECT count(DISTINCT published_at)::int AS n FROM outbox WHERE event_id = ANY($1::uuid[])', [ids])) as { n: number }[];
    expect(marks).toEqual([{ n: 1 }]);
    await tail.waitFor(withIds(ids), (matched) => matched.length === ids.length);
  });

  it('re-sends a row a crashed relay published but never marked; the consumer applies it once', async () => {
    await dataSource.query('CREATE TABLE IF NOT EXISTS applied_effects (event_id uuid NOT NULL, amount_minor numeric NOT NULL)');
    const ours = new Set<string>();
    const groupId = `${uniqueGroupPrefix()}outbox-it-consumer`;
    await startGroupAtEnd(kafka, groupId, [TOPIC]);
    const consumer = new EventConsumer({
      kafka,
      registry,
      dataSource,
      groupId,
      service: 'billing',
      topics: [TOPIC],
      logger: new CapturingLogger(),
      handle: async (event, { manager }) => {
        if (!ours.has(event.metadata.eventId)) return;
        await manager.query('INSERT INTO applied_effects (event_id, amount_minor) VALUES ($1, $2)', [
          event.metadata.eventId,
          event.payload.amountMinor.toString(),
        ]);
      },
    });
    await consumer.start();
    try {
      const event = paymentRequested();
      ours.add(event.metadata.eventId);
      await commit(event);
      const crashed = relay();
      await expect(crashed.drain()).resolves.toBe(1);
      // The crash: the send reached Kafka, the mark did not reach the database.
      await dataSource.query('UPDATE outbox SET published_at = NULL WHERE event_id = $1', [event.metadata.eventId]);
      await crashed.stop();

      const restarted = relay();
      await expect(restarted.drain()).resolves.toBe(1);
      // Same key, so same partition, after the re-send: once it is applied, the re-send was seen.
      const later = paymentRequested(event.payload.walletId);
      ours.add(later.metadata.eventId);
      await commit(later);
      await expect(restarted.drain()).resolves.toBe(1);

      const applied = async (eventId: string): Promise<{ amount_minor: string }[]> =>
        (await dataSource.query('SELECT amount_minor FROM applied_effects WHERE event_id = $1', [eventId])) as { amount_minor: string }[];
      await eventually(async () => ((await applied(later.metadata.eventId)).length === 1 ? true : undefined), 'the later event to be applied');
      expect(await applied(event.metadata.eventId)).toEqual([{ amount_minor: event.payload.amountMinor.toString() }]);
      const copies = await tail.waitFor(withIds([event.metadata.eventId]), (matched) => matched.length >= 2);
      expect(copies).toHaveLength(2);
    } finally {
      await consumer.stop();
    }
  });

  it('lets only one of two relays on a database publish, and the other take over when it stops', async () => {
    const first = relay({ standbyRetryMs: 200, pollIntervalMs: 100 });
    const second = relay({ standbyRetryMs: 200, pollIntervalMs: 100 });
    await Promise.all([first.start(), second.start()]);
    await eventually(async () => (first.isActive || second.isActive ? true : undefined), 'one relay to become active');
    const [active, standby] = first.isActive ? [first, second] : [second, first];
    expect(standby.isActive).toBe(false);

    const before = Array.from({ length: 10 }, () => paymentRequested());
    for (const event of before) await commit(event);
    await allPublished();
    expect(active.publishedCount).toBe(10);
    expect(standby.publishedCount).toBe(0);
    await expect(standby.drain()).resolves.toBe(0);

    await active.stop();
    const after = Array.from({ length: 5 }, () => paymentRequested());
    for (const event of after) await commit(event);
    await allPublished();
    expect(standby.isActive).toBe(true);
    expect(standby.publishedCount).toBe(5);

    const ids = [...before, ...after].map((event) => event.metadata.eventId);
    const received = await tail.waitFor(withIds(ids), (matched) => matched.length >= ids.length);
    expect(received.map((message) => message.headers['event-id']).sort()).toEqual([...ids].sort());
  });

  it('holds the outbox at a row it cannot publish, records why, and resumes once it is repaired', async () => {
    const poisonId = randomUUID();
    await dataSource.query(
      `INSERT INTO outbox (event_id, topic, message_key, event_type, payload, headers)
       VALUES ($1, $2, 'poison-key', 'PaymentRequested', '{"metadata": {}, "payload": {}}', '{}')`,
      [poisonId, TOPIC],
    );
    const behind = paymentRequested();
    await commit(behind);

    const stuck = relay();
    await expect(stuck.drain()).rejects.toBeInstanceOf(EventValidationError);
    await expect(stuck.drain()).rejects.toBeInstanceOf(EventValidationError);
    const rows = (await dataSource.query('SELECT event_id, attempts, last_error, published_at FROM outbox WHERE published_at IS NULL ORDER BY id')) as {
      event_id: string;
      attempts: number;
      last_error: string | null;
    }[];
    expect(rows).toEqual([
      { event_id: poisonId, attempts: 2, last_error: expect.stringContaining('EventValidationError'), published_at: null },
      { event_id: behind.metadata.eventId, attempts: 0, last_error: null, published_at: null },
    ]);

    await dataSource.query('DELETE FROM outbox WHERE event_id = $1', [poisonId]);
    await expect(stuck.drain()).resolves.toBe(1);
    await tail.waitFor(withIds([behind.metadata.eventId]), (matched) => matched.length === 1);
  });
});
