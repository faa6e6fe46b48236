import { randomUUID } from 'node:crypto';
import { EVENT_TOPICS } from '@bvs/contracts';
import { DataSource } from 'typeorm';
import { CreateMessagingTables1764000000000, MESSAGING_ENTITIES, recordInbox } from '../src';
import { TestDatabase } from '../src/testing';

const TOPIC = EVENT_TOPICS.paymentFailed;

describe('recordInbox (real PostgreSQL)', () => {
  let database: TestDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    database = await TestDatabase.create('inbox');
    dataSource = await new DataSource({
      type: 'postgres',
      url: database.url,
      entities: [...MESSAGING_ENTITIES],
      migrations: [CreateMessagingTables1764000000000],
    }).initialize();
    await dataSource.runMigrations();
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  const record = (consumer: string, eventId: string): Promise<boolean> =>
    dataSource.transaction((manager) => recordInbox(manager, consumer, TOPIC, eventId));

  it('says first time once, and redelivery after that', async () => {
    const eventId = randomUUID();
    await expect(record('wallet-events', eventId)).resolves.toBe(true);
    await expect(record('wallet-events', eventId)).resolves.toBe(false);
    await expect(record('wallet-events', eventId)).resolves.toBe(false);
    await expect(dataSource.query('SELECT consumer, topic FROM inbox WHERE event_id = $1', [eventId])).resolves.toEqual([
      { consumer: 'wallet-events', topic: TOPIC },
    ]);
  });

  it('keeps consumer groups apart: each applies the event once', async () => {
    const eventId = randomUUID();
    await expect(record('wallet-events', eventId)).resolves.toBe(true);
    await expect(record('reporting-events', eventId)).resolves.toBe(true);
  });

  it('forgets a mark whose transaction rolled back, so the event is applied on redelivery', async () => {
    const eventId = randomUUID();
    const failure = await dataSource
      .transaction(async (manager) => {
        expect(await recordInbox(manager, 'wallet-events', TOPIC, eventId)).toBe(true);
        throw new Error('the effect failed');
      })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(Error);
    await expect(record('wallet-events', eventId)).resolves.toBe(true);
  });

  it('lets exactly one of two racing deliveries apply the event', async () => {
    const eventId = randomUUID();
    let firstRecorded: () => void = () => undefined;
    const recorded = new Promise<void>((resolve) => (firstRecorded = resolve));
    const first = dataSource.transaction(async (manager) => {
      const isNew = await recordInbox(manager, 'wallet-events', TOPIC, eventId);
      firstRecorded();
      // Hold the transaction open while the second delivery tries.
      await new Promise((resolve) => setTimeout(resolve, 300));
      return isNew;
    });
    await recorded;
    const second = record('wallet-events', eventId);
    await expect(Promise.all([first, second])).resolves.toEqual([true, false]);
  });

  it('refuses a manager outside a transaction', async () => {
    await expect(recordInbox(dataSource.manager, 'wallet-events', TOPIC, randomUUID())).rejects.toThrow(/open transaction/);
  });
});
