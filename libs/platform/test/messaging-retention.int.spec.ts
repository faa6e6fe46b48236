import { randomUUID } from 'node:crypto';
import { EVENT_TOPICS } from '@bvs/contracts';
import { DataSource } from 'typeorm';
import { AddOutboxTraceparent1765300000000, CreateMessagingTables1764000000000, IndexInboxByAge1765100000000, MESSAGING_ENTITIES, MessagingRetention, type RetentionSettings } from '../src';
import { TestDatabase } from '../src/testing';

const NOW = new Date('2026-12-04T12:00:00.000Z');
const HOUR_MS = 3_600_000;
const SETTINGS: RetentionSettings = { outboxRetentionHours: 72, inboxRetentionHours: 14 * 24, intervalMs: 3_600_000, batchSize: 2, maxBatchesPerRound: 10 };
const hoursBeforeNow = (hours: number) => new Date(NOW.getTime() - hours * HOUR_MS);

describe('MessagingRetention (real PostgreSQL)', () => {
  let database: TestDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    database = await TestDatabase.create('retention');
    dataSource = await new DataSource({
      type: 'postgres',
      url: database.url,
      entities: [...MESSAGING_ENTITIES],
      migrations: [CreateMessagingTables1764000000000, IndexInboxByAge1765100000000, AddOutboxTraceparent1765300000000],
    }).initialize();
    await dataSource.runMigrations();
  });

  beforeEach(async () => {
    await dataSource.query('TRUNCATE outbox, inbox');
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  /** An outbox row created at `createdAt` and published at `publishedAt` (null: not yet). */
  const outboxRow = (createdAt: Date, publishedAt: Date | null) =>
    dataSource.query(
      `INSERT INTO outbox (event_id, topic, message_key, event_type, payload, headers, created_at, published_at)
       VALUES ($1, $2, 'key', 'WalletFunded', '{}', '{}', $3, $4)`,
      [randomUUID(), EVENT_TOPICS.walletFunded, createdAt, publishedAt],
    );
  const inboxRow = (receivedAt: Date) =>
    dataSource.query('INSERT INTO inbox (consumer, event_id, topic, received_at) VALUES ($1, $2, $3, $4)', ['wallet-events', randomUUID(), EVENT_TOPICS.paymentFailed, receivedAt]);
  const count = async (sql: string) => ((await dataSource.query(sql)) as [{ count: number }])[0].count;

  it('given published outbox rows on both sides of the retention and an old unpublished one, when pruned, then only the old published ones go', async () => {
    for (let index = 0; index < 3; index += 1) await outboxRow(hoursBeforeNow(100), hoursBeforeNow(99));
    await outboxRow(hoursBeforeNow(80), hoursBeforeNow(71));
    await outboxRow(hoursBeforeNow(200), null);

    const pruned = await new MessagingRetention(dataSource, SETTINGS).pruneOnce(NOW);

    expect(pruned).toEqual({ outbox: 3, inbox: 0 });
    expect(await count('SELECT COUNT(*)::int AS count FROM outbox WHERE published_at IS NOT NULL')).toBe(1);
    expect(await count('SELECT COUNT(*)::int AS count FROM outbox WHERE published_at IS NULL')).toBe(1);
  });

  it('given inbox rows older and younger than the inbox retention, when pruned, then only the older ones go', async () => {
    await inboxRow(hoursBeforeNow(14 * 24 + 1));
    await inboxRow(hoursBeforeNow(14 * 24 + 2));
    await inboxRow(hoursBeforeNow(7 * 24 + 1));

    expect(await new MessagingRetention(dataSource, SETTINGS).pruneOnce(NOW)).toEqual({ outbox: 0, inbox: 2 });
    expect(await count('SELECT COUNT(*)::int AS count FROM inbox')).toBe(1);
  });

  it('given a backlog larger than one round may delete, when pruned, then it stops at its bound and the next round goes on', async () => {
    for (let index = 0; index < 7; index += 1) await outboxRow(hoursBeforeNow(100), hoursBeforeNow(99));
    const bounded = new MessagingRetention(dataSource, { ...SETTINGS, batchSize: 2, maxBatchesPerRound: 2 });

    expect((await bounded.pruneOnce(NOW)).outbox).toBe(4);
    expect((await bounded.pruneOnce(NOW)).outbox).toBe(3);
    expect(await count('SELECT COUNT(*)::int AS count FROM outbox')).toBe(0);
  });

  it('refuses an inbox kept no longer than the topics keep events, which could let a redelivered event apply twice', () => {
    expect(() => new MessagingRetention(dataSource, { ...SETTINGS, inboxRetentionHours: 7 * 24 })).toThrow(RangeError);
  });
});
