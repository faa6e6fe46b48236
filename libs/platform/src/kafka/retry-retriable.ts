import { KafkaJSError } from 'kafkajs';

export interface RetryPolicy {
  readonly attempts: number;
  readonly firstPauseMs: number;
  readonly maxPauseMs: number;
}

/**
 * kafkajs retries its producer and consumer requests, but not some admin calls (fetchOffsets,
 * setOffsets, describeGroups). Those fail with a retriable protocol error while a broker that has
 * just started loads its group coordinator (GROUP_LOAD_IN_PROGRESS), and a service starting beside
 * it would give up. They are tried 8 times, the pause doubling from 100 ms to at most 2 s: about
 * 7 s of pauses in all, longer than a fresh broker's coordinator takes to load.
 */
const KAFKA_ADMIN_RETRY: RetryPolicy = { attempts: 8, firstPauseMs: 100, maxPauseMs: 2_000 };

/** Whether kafkajs says the same call may succeed unchanged later (a loading or moving coordinator, a dropped connection). */
function isRetriableKafkaError(error: unknown): boolean {
  return error instanceof KafkaJSError && error.retriable;
}

/** Runs `call`, trying it again after a retriable Kafka error within the policy; any other error, or the last one, is thrown. */
export async function retryRetriableKafkaErrors<T>(call: () => Promise<T>, policy: RetryPolicy = KAFKA_ADMIN_RETRY): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await call();
    } catch (error) {
      if (attempt >= policy.attempts || !isRetriableKafkaError(error)) throw error;
      const pauseMs = Math.min(policy.maxPauseMs, policy.firstPauseMs * 2 ** (attempt - 1));
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  }
}
