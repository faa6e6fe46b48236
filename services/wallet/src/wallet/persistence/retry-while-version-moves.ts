import { REFUSALS } from '../domain/wallet-refusal';
import { toServiceError } from '../service-errors';

/** What an attempt returns when the wallet changed after it was read, so its change was not saved. */
export const VERSION_MOVED = Symbol('wallet version moved');

const BACKOFF_BASE_MS = 2;
const BACKOFF_CAP_MS = 50;

/**
 * The retry half of optimistic locking. `attempt` reads the wallet, decides, and saves only at the
 * version it read; when another transaction got there first it returns VERSION_MOVED and runs
 * again after a short random pause (so that colliding requests do not collide again in step),
 * reading the winner's commit under READ COMMITTED. After `maxAttempts` lost races the wallet is
 * too busy: WALLET.CONCURRENT_UPDATE, which a client retries with the same reference.
 */
export async function retryWhileVersionMoves<T>(maxAttempts: number, attempt: () => Promise<T | typeof VERSION_MOVED>): Promise<T> {
  for (let attempts = 1; ; attempts += 1) {
    const outcome = await attempt();
    if (outcome !== VERSION_MOVED) return outcome;
    if (attempts >= maxAttempts) throw toServiceError(REFUSALS.concurrentUpdate());
    const ceilingMs = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.min(attempts, 10));
    await new Promise((resolve) => setTimeout(resolve, Math.random() * ceilingMs));
  }
}
