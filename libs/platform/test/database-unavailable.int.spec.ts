import type { EventEmitter } from 'node:events';
import { createConnection, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { DataSource, type EntityManager } from 'typeorm';
import { isDatabaseUnavailable } from '../src/persistence/database-unavailable';
import { eventually, readInfraAddresses, TestDatabase } from '../src/testing';

/**
 * What a service meets when PostgreSQL drops or refuses its connections (a restart, a failover, an
 * operator's pg_terminate_backend, a database closed for maintenance) must read as unavailable: the
 * request is answered 503 and sent again, the event is retried without counting towards its dead
 * letter. Anything else is answered 500, which a client cannot act on.
 */
describe('isDatabaseUnavailable against a real PostgreSQL dropping and refusing connections', () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let operator: DataSource;

  beforeAll(async () => {
    database = await TestDatabase.create('unavailable');
    dataSource = await new DataSource({ type: 'postgres', url: database.url, extra: { max: 2 } }).initialize();
    // The operator works from the admin database: a database cannot close itself to connections.
    operator = await new DataSource({ type: 'postgres', url: readInfraAddresses().DATABASE_ADMIN_URL, extra: { max: 1 } }).initialize();
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await operator?.destroy();
    await database?.drop();
  });

  /**
   * The driver's connection under a transaction: it reports the server's goodbye as an 'error' event.
   * TypeORM keeps it protected; waiting for that event makes the next statement meet the dropped connection every time.
   */
  const driverConnectionOf = (manager: EntityManager): EventEmitter => (manager.queryRunner as unknown as { databaseConnection: EventEmitter }).databaseConnection;

  const backendPidOf = async (manager: EntityManager): Promise<number> => {
    const [row] = (await manager.query('SELECT pg_backend_pid() AS pid')) as { pid: number }[];
    return row?.pid as number;
  };

  it('given a transaction whose connection the server ended between two statements, when the next statement runs, then its error reads as unavailable', async () => {
    const failure = await dataSource
      .transaction(async (manager) => {
        const pid = await backendPidOf(manager);
        const goodbye = new Promise((resolve) => driverConnectionOf(manager).once('error', resolve));
        await operator.query('SELECT pg_terminate_backend($1)', [pid]);
        await goodbye;
        await manager.query('SELECT 1');
      })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(Error);
    expect(isDatabaseUnavailable(failure)).toBe(true);
  });

  it('given a statement running when the server ends its connection, when it fails, then its error reads as unavailable', async () => {
    const failure = await dataSource
      .transaction(async (manager) => {
        const pid = await backendPidOf(manager);
        const running = manager.query('SELECT pg_sleep(30)');
        await operator.query('SELECT pg_terminate_backend($1)', [pid]);
        await running;
      })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(Error);
    expect(isDatabaseUnavailable(failure)).toBe(true);
  });

  it('given the network to the database cut with a statement running, when it fails, then the driver\'s own words for it read as unavailable', async () => {
    const cut = await openCuttableRoute(new URL(database.url));
    const routed = new URL(database.url);
    routed.hostname = '127.0.0.1';
    routed.port = String(cut.port);
    const throughRoute = await new DataSource({ type: 'postgres', url: routed.toString(), extra: { max: 1 } }).initialize();
    try {
      const failure = await throughRoute
        .transaction(async (manager) => {
          const running = manager.query('SELECT pg_sleep(30)');
          await backendIsSleeping(operator, database.name);
          cut.cutEverySocket();
          await running;
        })
        .catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(Error);
      expect(isDatabaseUnavailable(failure)).toBe(true);
    } finally {
      await throughRoute.destroy().catch(() => undefined);
      await cut.close();
    }
  });

  it('given a database closed to new connections, when a service connects, then the refusal reads as unavailable', async () => {
    await operator.query(`ALTER DATABASE ${database.name} WITH ALLOW_CONNECTIONS false`);
    try {
      const failure = await new DataSource({ type: 'postgres', url: database.url, extra: { max: 1 } }).initialize().catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(Error);
      expect(isDatabaseUnavailable(failure)).toBe(true);
    } finally {
      await operator.query(`ALTER DATABASE ${database.name} WITH ALLOW_CONNECTIONS true`);
    }
  });
});

/** A TCP route to PostgreSQL whose sockets can all be cut at once, as a network partition would: neither side says goodbye. */
async function openCuttableRoute(target: URL): Promise<{ port: number; cutEverySocket: () => void; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = createConnection({ host: target.hostname, port: Number(target.port || 5432) });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    cutEverySocket: () => {
      for (const socket of sockets) socket.destroy();
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Resolves once a backend of the database runs pg_sleep, so the cut lands with the statement in flight. */
async function backendIsSleeping(operator: DataSource, databaseName: string): Promise<void> {
  await eventually(async () => {
    const rows = (await operator.query("SELECT 1 FROM pg_stat_activity WHERE datname = $1 AND query LIKE 'SELECT pg_sleep%' AND state = 'active'", [databaseName])) as unknown[];
    return rows.length > 0 ? true : undefined;
  }, 'the statement to be running');
}
