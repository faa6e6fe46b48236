import {
  ALL_EVENT_TOPICS,
  deadLetterTopicOf,
  EVENT_TOPICS,
  isDeadLetterTopic,
  isEventTopic,
  sourceTopicOf,
  valueSubjectOf,
} from './topics';

describe('event topics', () => {
  it('lists the six event topics, each <owner>.<event>.v<N>', () => {
    expect([...ALL_EVENT_TOPICS].sort()).toEqual(
      [
        'auth.user-registered.v1',
        'billing.payment-completed.v1',
        'billing.payment-failed.v1',
        'wallet.payment-requested.v1',
        'wallet.payment-reversed.v1',
        'wallet.wallet-funded.v1',
      ].sort(),
    );
    for (const topic of ALL_EVENT_TOPICS) {
      expect(topic).toMatch(/^(auth|wallet|billing)\.[a-z]+(-[a-z]+)*\.v[1-9]\d*$/);
    }
    expect(new Set(ALL_EVENT_TOPICS).size).toBe(ALL_EVENT_TOPICS.length);
  });

  it('names the dead-letter topic <topic>.dlq and maps it back', () => {
    const dlq = deadLetterTopicOf(EVENT_TOPICS.paymentFailed);
    expect(dlq).toBe('billing.payment-failed.v1.dlq');
    expect(isDeadLetterTopic(dlq)).toBe(true);
    expect(isDeadLetterTopic(EVENT_TOPICS.paymentFailed)).toBe(false);
    expect(sourceTopicOf(dlq)).toBe(EVENT_TOPICS.paymentFailed);
  });

  it('refuses to dead-letter a dead-letter topic or an empty name', () => {
    expect(() => deadLetterTopicOf('billing.payment-failed.v1.dlq')).toThrow(/already a dead-letter topic/);
    expect(() => deadLetterTopicOf('')).toThrow(/empty/);
  });

  it('tells event topics from other names', () => {
    expect(isEventTopic('wallet.payment-requested.v1')).toBe(true);
    expect(isEventTopic('wallet.payment-requested.v2')).toBe(false);
    expect(isEventTopic('wallet.payment-requested.v1.dlq')).toBe(false);
  });

  it('uses TopicNameStrategy for value subjects', () => {
    expect(valueSubjectOf(EVENT_TOPICS.userRegistered)).toBe('auth.user-registered.v1-value');
  });
});
