import { EVENT_TOPICS, type EventByTopic, type EventTopic } from '@bvs/contracts';
import { EventValidationError, fromOutboxPayload, toOutboxPayload } from '../src';
import { sampleEvent } from '../src/schema-registry/testing';

describe('outbox payload (the event as stored in jsonb)', () => {
  it.each(Object.values(EVENT_TOPICS))('%s: stores longs as decimal strings and revives them exactly', (topic: EventTopic) => {
    const event = sampleEvent(topic) as EventByTopic[EventTopic];
    const stored = toOutboxPayload(topic, event as never);
    const asJson = JSON.parse(JSON.stringify(stored)) as unknown;
    expect(fromOutboxPayload(topic, asJson)).toEqual(event);
  });

  it('keeps 2^63 - 1 and the amounts beyond 2^53 as text in JSON', () => {
    const event = sampleEvent(EVENT_TOPICS.walletFunded);
    const stored = toOutboxPayload(EVENT_TOPICS.walletFunded, event) as { payload: Record<string, unknown> };
    expect(stored.payload['availableAfterMinor']).toBe('9223372036854775807');
    expect(stored.payload['amountMinor']).toBe(event.payload.amountMinor.toString());
  });

  it('revives only what the schema declares long: digit strings in string fields stay strings', () => {
    const event = sampleEvent(EVENT_TOPICS.paymentCompleted);
    const digits = { ...event, payload: { ...event.payload, token: '12345678901234567890', units: '31' } };
    const revived = fromOutboxPayload(EVENT_TOPICS.paymentCompleted, JSON.parse(JSON.stringify(toOutboxPayload(EVENT_TOPICS.paymentCompleted, digits))));
    expect(revived.payload.token).toBe('12345678901234567890');
    expect(revived.payload.units).toBe('31');
    expect(typeof revived.payload.amountMinor).toBe('bigint');
  });

  it('refuses an amount given as a number, naming the field', () => {
    const event = sampleEvent(EVENT_TOPICS.paymentRequested);
    const float = { ...event, payload: { ...event.payload, amountMinor: 1500.5 as unknown as bigint } };
    const failure = (() => {
      try {
        return toOutboxPayload(EVENT_TOPICS.paymentRequested, float);
      } catch (error) {
        return error;
      }
    })();
    expect(failure).toBeInstanceOf(EventValidationError);
    expect((failure as EventValidationError).paths).toEqual([['payload', 'amountMinor']]);
  });

  it('refuses an event on the wrong topic or with broken metadata', () => {
    const completed = sampleEvent(EVENT_TOPICS.paymentCompleted);
    expect(() => toOutboxPayload(EVENT_TOPICS.paymentFailed, completed as never)).toThrow(EventValidationError);
    const event = sampleEvent(EVENT_TOPICS.userRegistered);
    const badId = { ...event, metadata: { ...event.metadata, eventId: 'NOT-A-UUID' } };
    expect(() => toOutboxPayload(EVENT_TOPICS.userRegistered, badId)).toThrow(/metadata\.eventId/);
  });
});
