import Redis from 'ioredis';
import { createRedisClient, withinRedisDeadline } from '../src/redis/redis-client';

const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const DEADLINE_MS = 100;

/**
 * Holds the event loop for `ms`, as a process with every core busy does: nothing else in this
 * process runs meanwhile, while Redis, another process, answers what it was sent.
 */
function holdTheEventLoop(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // Spinning on purpose: the test needs the loop late, not asleep on a timer.
  }
}

describe('withinRedisDeadline against a real Redis', () => {
  // Without auto-pipelining a command is written to the socket at once, before the loop is held.
  const clients: Redis[] = [];
  const connect = async (options: { commandTimeout?: number } = {}): Promise<Redis> => {
    const client = new Redis(REDIS_URL, { enableAutoPipelining: false, maxRetriesPerRequest: 0, ...options });
    clients.push(client);
    await client.ping();
    return client;
  };

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.quit().catch(() => client.disconnect())));
  });

  it('given an answer that arrived while the event loop ran late past the deadline, when the loop comes back, then the command succeeds', async () => {
    const redis = await connect();
    const answer = withinRedisDeadline(redis.echo('answered'), DEADLINE_MS);
    holdTheEventLoop(DEADLINE_MS * 3);
    await expect(answer).resolves.toBe('answered');
  });

  it('given the same late loop, when ioredis times the command with its own timer, then it fails a command Redis had answered (why the deadline is ours)', async () => {
    const redis = await connect({ commandTimeout: DEADLINE_MS });
    const answer = redis.echo('answered');
    holdTheEventLoop(DEADLINE_MS * 3);
    await expect(answer).rejects.toThrow('Command timed out');
  });

  it("given the services' own client with a command in flight, when a second is issued and the loop then runs late past the deadline, then the second was sent at once and its answer is kept", async () => {
    const redis = createRedisClient(REDIS_URL, 'deadline-test');
    clients.push(redis);
    await redis.ping();
    const first = redis.echo('first');
    // One turn later the first command is on the wire and its answer not yet read: a busy gateway, always.
    await new Promise((resolve) => setImmediate(resolve));
    const second = withinRedisDeadline(redis.echo('second'), DEADLINE_MS);
    holdTheEventLoop(DEADLINE_MS * 3);
    // Auto-pipelining would have held the second back until the first's answer was read, one turn
    // after the deadline's: it would fail here, as the gateway's checks did under load.
    await expect(second).resolves.toBe('second');
    await expect(first).resolves.toBe('first');
  });

  it('given a command Redis holds past the deadline, when the caller waits, then it fails at the deadline', async () => {
    const redis = await connect();
    const started = Date.now();
    // BLPOP on an empty list holds this connection's answer for a second, as a stalled Redis would.
    const held = redis.blpop(`deadline-test:empty:${process.pid}:${started}`, 1);
    await expect(withinRedisDeadline(held, DEADLINE_MS)).rejects.toThrow(`Redis command timed out after ${DEADLINE_MS} ms`);
    expect(Date.now() - started).toBeGreaterThanOrEqual(DEADLINE_MS);
    await expect(held).resolves.toBeNull();
  });
});
