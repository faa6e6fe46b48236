import { randomUUID } from 'node:crypto';
import { EVENT_TOPICS, type PaymentCompletedEvent } from '@bvs/contracts';
import { Kafka, type Producer } from 'kafkajs';
import { Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import {
  AddOutboxTraceparent1765300000000,
  CreateMessagingTables1764000000000,
  EventConsumer,
  EventSchemaRegistry,
  MESSAGING_ENTITIES,
  readDeadLetters,
  replayDeadLetters,
  replayMessageOf,
  REPLAYED_FROM_HEADER,
  UnprocessableEventError,
} from '../src';
import { CapturingLogger, startGroupAtEnd } from '../src/messaging/testing';
import { sampleEvent } from '../src/schema-registry/testing';
import { eventually, readInfraAddresses, TestDatabase, testKafkaConfig, uniqueGroupPrefix } from '../src/testing';

const TOPIC = EVENT_TOPICS.paymentCompleted;

/*
 * `npm run dlq` replays a parked message to its topic, where every consumer group sees it again.
 * Proven here on the real broker: the group that parked it applies it on replay, a group that had
 * applied it drops it in its inbox, and a second replay changes nothing for either.
 */
describe('dead letters: read back and replayed through the inbox (real Kafka, registry, PostgreSQL)', () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let kafka: Kafka;
  let registry: EventSchemaRegistry;
  let producer: Producer;
  const consumers: EventConsumer<typeof TOPIC>[] = [];
  /** Events the refusing group will not apply, until a test says so. */
  const refused = new Set<string>();
  /** One registry for both groups, as in a service process: the consumers share its metrics. */
  const metrics = new Registry();

  beforeAll(async () => {
    database = await TestDatabase.create('dead_letters');
    dataSource = await new DataSource({ type: 'postgres', url: database.url, entities: [...MESSAGING_ENTITIES], migrations: [CreateMessagingTables1764000000000, AddOutboxTraceparent1765300000000] }).initialize();
    await dataSource.runMigrations();
    // No unique key on purpose: a second application by one group would show as a second row.
    await dataSource.query('CREATE TABLE effects (consumer text NOT NULL, event_id uuid NOT NULL)');
    kafka = new Kafka({ ...testKafkaConfig(`dead-letters-it-${randomUUID().slice(0, 8)}`), retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 2_000 } });
    registry = new EventSchemaRegistry(readInfraAddresses().SCHEMA_REGISTRY_URL);
    await registry.resolveAll();
    producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
    await producer.connect();
  }, 60_000);

  afterAll(async () => {
    await Promise.all(consumers.map((consumer) => consumer.stop()));
    await producer?.disconnect();
    await dataSource?.destroy();
    await database?.drop();
  }, 30_000);

  /** A group that records our events' effects; the refusing one parks those in `refused` at once. */
  async function startGroup(name: string, ours: ReadonlySet<string>, refusing: boolean): Promise<string> {
    const groupId = `${uniqueGroupPrefix()}${name}`;
    await startGroupAtEnd(kafka, groupId, [TOPIC]);
    const consumer = new EventConsumer({
      kafka,
      registry,
      dataSource,
      groupId,
      service: 'wallet',
      topics: [TOPIC],
      metrics,
      logger: new CapturingLogger(),
      handle: async (event, { manager }) => {
        const { eventId } = event.metadata;
        if (!ours.has(eventId)) return;
        if (refusing && refused.has(eventId)) throw new UnprocessableEventError(`refused ${eventId} for the test`);
        await manager.query('INSERT INTO effects (consumer, event_id) VALUES ($1, $2)', [groupId, eventId]);
      },
    });
    consumers.push(consumer);
    await consumer.start();
    return groupId;
  }

  async function publish(event: PaymentCompletedEvent): Promise<void> {
    await producer.send({ topic: TOPIC, acks: -1, messages: [{ key: event.payload.walletId, value: await registry.encode(TOPIC, event), headers: { 'event-id': event.metadata.eventId } }] });
  }

  const effectsOf = async (consumer: string, eventId: string) =>
    ((await dataSource.query('SELECT COUNT(*)::int AS count FROM effects WHERE consumer = $1 AND event_id = $2', [consumer, eventId])) as [{ count: number }])[0].count;

  /** An event on the same key (so the same partition, after everything before it): once both groups applied it, they have seen what came before. */
  async function drainedBoth(ours: Set<string>, walletId: string, groups: readonly string[]): Promise<void> {
    const marker = { ...sampleEvent(TOPIC), payload: { ...sampleEvent(TOPIC).payload, walletId } };
    ours.add(marker.metadata.eventId);
    await publish(marker);
    for (const group of groups) await eventually(async () => ((await effectsOf(group, marker.metadata.eventId)) === 1 ? true : undefined), `${group} to apply the marker`);
  }

  it('replays a parked event: the group that parked it applies it once, the group that had applied it drops it, and a second replay changes nothing', async () => {
    const walletId = randomUUID();
    const event = { ...sampleEvent(TOPIC), payload: { ...sampleEvent(TOPIC).payload, walletId } };
    const eventId = event.metadata.eventId;
    const ours = new Set([eventId]);
    refused.add(eventId);
    const applying = await startGroup('dlq-applies', ours, false);
    const parking = await startGroup('dlq-parks', ours, true);

    await publish(event);
    // Other consumers of the shared topic may park the same event too (a local system's wallet does not know it): ours is the one from this group.
    const parked = await eventually(
      async () => (await readDeadLetters(kafka, TOPIC)).find((letter) => letter.headers['event-id'] === eventId && letter.headers['dlq-consumer'] === parking),
      'the event to be parked',
    );
    expect(parked.headers).toMatchObject({ 'dlq-source-topic': TOPIC, 'dlq-reason': expect.stringContaining('refused') });
    await eventually(async () => ((await effectsOf(applying, eventId)) === 1 ? true : undefined), 'the other group to apply it');
    expect(await effectsOf(parking, eventId)).toBe(0);
    const parkedCount = (await metrics.getSingleMetric('bvs_dead_letters_total')?.get())?.values.find((value) => value.labels['group'] === parking);
    expect(parkedCount).toMatchObject({ value: 1, labels: { topic: TOPIC } });

    // What a replay sends: the very bytes and event headers, none of the parking ones, and where it came from.
    const replay = replayMessageOf(parked);
    expect(replay.value?.equals(parked.value ?? Buffer.alloc(0))).toBe(true);
    expect(replay.headers).toEqual({ 'event-id': eventId, [REPLAYED_FROM_HEADER]: `${TOPIC}.dlq/${parked.partition}/${parked.offset}` });

    refused.delete(eventId);
    expect(await replayDeadLetters(kafka, [parked])).toBe(1);
    await drainedBoth(ours, walletId, [applying, parking]);
    expect({ applying: await effectsOf(applying, eventId), parking: await effectsOf(parking, eventId) }).toEqual({ applying: 1, parking: 1 });

    await replayDeadLetters(kafka, [parked]);
    await drainedBoth(ours, walletId, [applying, parking]);
    expect({ applying: await effectsOf(applying, eventId), parking: await effectsOf(parking, eventId) }).toEqual({ applying: 1, parking: 1 });
    // Both groups get through the partition they read last: no lag left there. Other tests write to
    // the same shared topic, so at a given instant a group may be one fetch behind; it catches up.
    const partition = String(parked.headers['dlq-source-partition']);
    const noLag = JSON.stringify([[applying, 0], [parking, 0]].sort());
    await eventually(async () => {
      const lags = (await metrics.getSingleMetric('bvs_kafka_consumer_lag_messages')?.get())?.values.filter((value) => value.labels['partition'] === partition);
      return JSON.stringify(lags?.map((value) => [value.labels['group'], value.value]).sort()) === noLag ? true : undefined;
    }, 'both groups to have no lag left on the partition');
  });
});
