import { KafkaJSNonRetriableError, KafkaJSProtocolError } from 'kafkajs';
import { retryRetriableKafkaErrors, type RetryPolicy } from '../src/kafka/retry-retriable';

const QUICK: RetryPolicy = { attempts: 3, firstPauseMs: 1, maxPauseMs: 2 };

/** What the broker answers an admin call while it loads its group coordinator. */
function coordinatorLoading(): KafkaJSProtocolError {
  const answer = Object.assign(new Error("The coordinator is loading and hence can't process requests for this group"), { type: 'GROUP_LOAD_IN_PROGRESS', code: 14, retriable: true });
  return new KafkaJSProtocolError(answer);
}

/** A call that fails with the given errors, in order, then answers `answer`. */
function failingThen<T>(errors: readonly Error[], answer: T): { call: () => Promise<T>; calls: () => number } {
  let calls = 0;
  return {
    call: async () => {
      const error = errors[calls];
      calls += 1;
      if (error) throw error;
      return answer;
    },
    calls: () => calls,
  };
}

describe('retrying a Kafka admin call', () => {
  it('given a coordinator still loading, when the call is retried within the bound, then its answer comes back', async () => {
    const call = failingThen([coordinatorLoading(), coordinatorLoading()], 'offsets');
    await expect(retryRetriableKafkaErrors(call.call, QUICK)).resolves.toBe('offsets');
    expect(call.calls()).toBe(3);
  });

  it('given a coordinator loading for longer than the bound, when called, then the last error is thrown after the last attempt', async () => {
    const call = failingThen([coordinatorLoading(), coordinatorLoading(), coordinatorLoading(), coordinatorLoading()], 'offsets');
    await expect(retryRetriableKafkaErrors(call.call, QUICK)).rejects.toThrow('coordinator is loading');
    expect(call.calls()).toBe(QUICK.attempts);
  });

  it.each([
    ['an error kafkajs holds non-retriable', new KafkaJSNonRetriableError('The consumer group must have no running instances')],
    ['an error that is not from Kafka', new TypeError('a bug')],
  ])('given %s, when called, then it is thrown at once', async (_name, error) => {
    const call = failingThen([error], 'offsets');
    await expect(retryRetriableKafkaErrors(call.call, QUICK)).rejects.toBe(error);
    expect(call.calls()).toBe(1);
  });
});
