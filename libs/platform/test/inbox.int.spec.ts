import { randomUUID } from 'node:crypto';
import { EVENT_TOPICS } from '@bvs/contracts';
import { DataSource } from 'typeorm';
import { CreateMessagingTables1764000000000, MESSAGING_ENTITIES, recordInbox } from '../src';
import { eventually, TestDatabase } from '../src/testing';

const TOPIC = EVENT_TOPICS.paymentFailed;
/** An advisory lock key of this test's own (its database is its own too), used as a start gate. */
const RACE_GATE_LOCK = 7_317_900;

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

  it('lets exactly one of two concurrent deliveries apply the event: the other waits on its inbox row, then drops it', async () => {
    await dataSource.query('CREATE TABLE IF NOT EXISTS applied_effects (event_id uuid NOT NULL, delivery text NOT NULL)');
    const eventId = randomUUID();
    const backends: number[] = [];
    // The gate: both deliveries queue behind this lock, so their inserts leave together once it opens.
    const gate = dataSource.createQueryRunner();
    await gate.connect();
    const [{ pid: gatePid }] = (await gate.query('SELECT pg_backend_pid() AS pid')) as [{ pid: number }];
    await gate.query('SELECT pg_advisory_lock($1)', [RACE_GATE_LOCK]);

    /** How many of `pids` are waiting on a lock `holder` holds. */
    const blockedBy = async (holder: number, pids: readonly number[]): Promise<number> => {
      const [{ n }] = (await dataSource.query('SELECT count(*)::int AS n FROM unnest($1::int[]) AS waiting (pid) WHERE $2 = ANY (pg_blocking_pids(pid))', [
        pids,
        holder,
      ])) as [{ n: number }];
      return n;
    };

    // One delivery as the consumer makes it: the inbox mark, and the effect only if the mark is new.
    const deliver = (delivery: string): Promise<boolean> =>
      dataSource.transaction(async (manager) => {
        const [{ pid }] = (await manager.query('SELECT pg_backend_pid() AS pid')) as [{ pid: number }];
        backends.push(pid);
        await manager.query('SELECT pg_advisory_xact_lock_shared($1)', [RACE_GATE_LOCK]);
        const isNew = await recordInbox(manager, 'wallet-events', TOPIC, eventId);
        if (!isNew) return false;
        await manager.query('INSERT INTO applied_effects (event_id, delivery) VALUES ($1, $2)', [eventId, delivery]);
        // Commit only once the other delivery has sent its insert and is waiting on this one's
        // uncommitted inbox row: the two really overlap. An inbox that let both through never waits.
        await eventually(
          async () => ((await blockedBy(pid, backends.filter((other) => other !== pid))) === 1 ? true : undefined),
          'the other delivery to wait on the inbox row of the first',
          10_000,
        );
        return true;
      });

    const both = Promise.all([deliver('one'), deliver('two')]);
    try {
      await eventually(async () => (backends.length === 2 && (await blockedBy(gatePid, backends)) === 2 ? true : undefined), 'both deliveries to wait at the gate', 10_000);
    } finally {
      await gate.query('SELECT pg_advisory_unlock($1)', [RACE_GATE_LOCK]);
      await gate.release();
    }

    expect([...(await both)].sort()).toEqual([false, true]);
    await expect(dataSource.query('SELECT count(*)::int AS n FROM applied_effects WHERE event_id = $1', [eventId])).resolves.toEqual([{ n: 1 }]);
    await expect(dataSource.query('SELECT count(*)::int AS n FROM inbox WHERE event_id = $1', [eventId])).resolves.toEqual([{ n: 1 }]);
  });

  it('refuses a manager outside a transaction', async () => {
    await expect(recordInbox(dataSource.manager, 'wallet-events', TOPIC, randomUUID())).rejects.toThrow(/open transaction/);
  });
});
