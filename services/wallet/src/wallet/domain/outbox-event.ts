import type { EventByTopic, EventMetadata, EventTopic } from '@bvs/contracts';

/** The producer name every wallet event carries. */
export const WALLET_PRODUCER = 'wallet';

/** Why a change was asked for: the request or event behind it, carried into the events it causes. */
export interface Origin {
  readonly correlationId: string;
  readonly causationId: string | null;
}

/** An event a decision records in the outbox, paired with the topic its type belongs to. */
export type OutboxEvent = { readonly [T in EventTopic]: { readonly topic: T; readonly event: EventByTopic[T] } }[EventTopic];

/** The metadata of a wallet event; its id and time are handed in so that a decision stays pure. */
export function eventMetadata<T extends string>(eventType: T, eventId: string, now: Date, origin: Origin): EventMetadata<T> {
  return {
    eventId,
    eventType,
    occurredAt: now.toISOString(),
    correlationId: origin.correlationId,
    causationId: origin.causationId,
    producer: WALLET_PRODUCER,
  };
}
