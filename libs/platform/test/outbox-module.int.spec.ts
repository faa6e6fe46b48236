import { randomUUID } from 'node:crypto';
import { Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { EVENT_TOPICS } from '@bvs/contracts';
import { Kafka } from 'kafkajs';
import { DataSource } from 'typeorm';
import { AddOutboxTraceparent1765300000000, CreateMessagingTables1764000000000, enqueueEvent, EventSchemaRegistry, IndexInboxByAge1765100000000, MESSAGING_ENTITIES, OutboxModule, OutboxRelay, type RetentionSettings } from '../src';

/** The retention job runs beside the relay; these tests are not about it, so it waits far longer than they take. */
const TEST_RETENTION: RetentionSettings = { outboxRetentionHours: 72, inboxRetentionHours: 14 * 24, intervalMs: 3_600_000, batchSize: 1_000, maxBatchesPerRound: 1 };
import { CapturingLogger } from '../src/messaging/testing';
import { sampleEvent } from '../src/schema-registry/testing';
import { readInfraAddresses, TestDatabase, testKafkaConfig } from '../src/testing';

describe('OutboxModule in a Nest application (real PostgreSQL, Kafka and registry)', () => {
  const infra = readInfraAddresses();
  let database: TestDatabase;
  let app: INestApplicationContext | undefined;

  beforeAll(async () => {
    database = await TestDatabase.create('outbox_module');
  });

  afterAll(async () => {
    await app?.close();
    await database?.drop();
  });

  it('registers the schemas and runs the relay from bootstrap to shutdown', async () => {
    const kafka = new Kafka(testKafkaConfig(`outbox-module-it-${randomUUID().slice(0, 8)}`));
    let registryCreated = 0;

    @Module({
      imports: [
        TypeOrmModule.forRoot({
          type: 'postgres',
          url: database.url,
          entities: [...MESSAGING_ENTITIES],
          migrations: [CreateMessagingTables1764000000000, IndexInboxByAge1765100000000, AddOutboxTraceparent1765300000000],
          migrationsRun: true,
        }),
        OutboxModule.register({
          service: 'wallet',
          kafka,
          registry: () => {
            registryCreated += 1;
            return new EventSchemaRegistry(infra.SCHEMA_REGISTRY_URL);
          },
          pollIntervalMs: 100,
          logger: new CapturingLogger(),
          retention: TEST_RETENTION,
        }),
      ],
    })
    class ProbeAppModule {}

    app = await NestFactory.createApplicationContext(ProbeAppModule, { logger: false });
    const relay = app.get(OutboxRelay);
    const dataSource = app.get(DataSource);
    expect(registryCreated).toBe(1);
    expect(relay.isActive).toBe(false);
    await app.init();

    const event = sampleEvent(EVENT_TOPICS.walletFunded);
    await dataSource.transaction((manager) => enqueueEvent(manager, EVENT_TOPICS.walletFunded, event));
    const deadline = Date.now() + 20_000;
    for (;;) {
      const rows = (await dataSource.query('SELECT published_at FROM outbox WHERE event_id = $1', [event.metadata.eventId])) as { published_at: Date | null }[];
      if (rows[0]?.published_at) break;
      if (Date.now() > deadline) throw new Error('the module relay did not publish');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(relay.isActive).toBe(true);

    // Shutdown stops the relay before TypeORM closes the pool it holds a connection of (else close would hang).
    await app.close();
    app = undefined;
    expect(relay.isActive).toBe(false);
    expect(dataSource.isInitialized).toBe(false);

    // The lock went with the relay: a new one on the same database becomes active.
    const after = await new DataSource({ type: 'postgres', url: database.url }).initialize();
    const successor = new OutboxRelay({ dataSource: after, kafka, registry: new EventSchemaRegistry(infra.SCHEMA_REGISTRY_URL), service: 'wallet' });
    try {
      await expect(successor.drain()).resolves.toBe(0);
      expect(successor.isActive).toBe(true);
    } finally {
      await successor.stop();
      await after.destroy();
    }
  });
});
