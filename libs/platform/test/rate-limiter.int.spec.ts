import { randomUUID } from 'node:crypto';
import type Redis from 'ioredis';
import { createRedisClient } from '../src/redis/redis-client';
import { RateLimiter, VETOED, type RateLimitDecision } from '../src/redis/rate-limiter';
import { SessionRevocations } from '../src/redis/session-revocations';

const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const WINDOW_MS = 60_000;

/** The gateway's check of a signed-in request on a user-limited route: the session's revocation vetoes the user's hit. */
describe('a rate-limit hit vetoed by a revoked session, against a real Redis', () => {
  let redis: Redis;
  let namespace: string;
  let limiter: RateLimiter;
  let revocations: SessionRevocations;

  beforeAll(async () => {
    redis = createRedisClient(REDIS_URL, 'it-rate-limiter');
    await redis.ping();
  });

  beforeEach(() => {
    namespace = `it-rate-${randomUUID()}:`;
    limiter = new RateLimiter(redis, namespace);
    revocations = new SessionRevocations(redis, namespace);
  });

  afterAll(async () => {
    const keys = await redis.keys('it-rate-*');
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  it('given a live session, when its user hits past the limit, then the hits up to the limit pass and the next is refused with the window left', async () => {
    const session = randomUUID();
    const decisions: (RateLimitDecision | typeof VETOED)[] = [];
    for (let hit = 0; hit < 3; hit++) decisions.push(await limiter.hitUnlessExists('pay:user:u1', 2, WINDOW_MS, revocations.keyOf(session)));

    expect(decisions.map((decision) => decision !== VETOED && decision.allowed)).toEqual([true, true, false]);
    const refused = decisions[2];
    if (refused === VETOED || refused === undefined) throw new Error('the third hit was not counted');
    expect(refused.retryAfterMs).toBeGreaterThan(0);
    expect(refused.retryAfterMs).toBeLessThanOrEqual(WINDOW_MS);
    expect(await redis.pttl(`${namespace}rate:pay:user:u1`)).toBeGreaterThan(0);
  });

  it('given a revoked session, when its user hits, then the hit is vetoed and not counted', async () => {
    const session = randomUUID();
    await limiter.hitUnlessExists('pay:user:u2', 5, WINDOW_MS, revocations.keyOf(session));
    await revocations.revoke(session, WINDOW_MS);

    await expect(limiter.hitUnlessExists('pay:user:u2', 5, WINDOW_MS, revocations.keyOf(session))).resolves.toBe(VETOED);
    expect(await limiter.peek('pay:user:u2')).toBe(1);
    await expect(revocations.isRevoked(session)).resolves.toBe(true);
  });

  it('given another session of the same user revoked, when the live one hits, then it is counted on the shared user counter', async () => {
    const [ended, live] = [randomUUID(), randomUUID()];
    await revocations.revoke(ended, WINDOW_MS);

    const decision = await limiter.hitUnlessExists('pay:user:u3', 5, WINDOW_MS, revocations.keyOf(live));

    expect(decision).toMatchObject({ allowed: true });
    expect(await limiter.peek('pay:user:u3')).toBe(1);
  });
});
