import { randomUUID } from 'node:crypto';
import { deadLetterTopicOf, type EventTopic } from '@bvs/contracts';
import type { IHeaders, Kafka } from 'kafkajs';
import { DEAD_LETTER_HEADERS, EVENT_HEADERS } from './messaging-constants';

/** The header a replayed message carries: where in which dead-letter topic it was replayed from. */
export const REPLAYED_FROM_HEADER = 'dlq-replayed-from';

/** Longest wait for a dead-letter topic to be read to the end it had when reading began. */
const READ_TIMEOUT_MS = 60_000;

/** One parked message, as `<topic>.dlq` holds it: the original bytes and headers, and why it was parked. */
export interface DeadLetter {
  readonly sourceTopic: EventTopic;
  readonly partition: number;
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  /** Every header as text: the original event's, then the `dlq-*` ones the consumer added. */
  readonly headers: Readonly<Record<string, string>>;
}

/** Which dead letters of a topic to act on: all of them, one partition's, or one message. */
export interface DeadLetterSelection {
  readonly partition?: number;
  readonly offset?: string;
}

/** What a replay sends: the original message, to the topic it came from, without the parking headers. */
export interface ReplayMessage {
  readonly topic: EventTopic;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: Readonly<Record<string, string>>;
}

/** A one-line description of a dead letter for an operator: where, what event, which consumer gave up, and why. */
export function describeDeadLetter(letter: DeadLetter): string {
  const header = (name: string) => letter.headers[name] ?? '?';
  return [
    `${deadLetterTopicOf(letter.sourceTopic)} partition ${letter.partition} offset ${letter.offset}`,
    `event ${header(EVENT_HEADERS.eventId)} (${header(EVENT_HEADERS.eventType)})`,
    `key ${letter.key?.toString('utf8') ?? '-'}`,
    `consumer ${header(DEAD_LETTER_HEADERS.consumer)} after ${header(DEAD_LETTER_HEADERS.attempts)} attempt(s)`,
    `reason: ${header(DEAD_LETTER_HEADERS.reason)}`,
  ].join(' | ');
}

export function selectDeadLetters(letters: readonly DeadLetter[], selection: DeadLetterSelection): DeadLetter[] {
  return letters.filter(
    (letter) => (selection.partition === undefined || letter.partition === selection.partition) && (selection.offset === undefined || letter.offset === selection.offset),
  );
}

/**
 * The message a replay sends for `letter`: the same key, value bytes and event headers, to the
 * topic it came from, so every consumer group of that topic sees it again. Groups that applied it
 * already drop it in their inbox (the event id is unchanged), so a replay, or a replay repeated,
 * applies it at most once per group. The `dlq-*` headers are dropped; one header says where it
 * was replayed from.
 */
export function replayMessageOf(letter: DeadLetter): ReplayMessage {
  const parking = new Set<string>(Object.values(DEAD_LETTER_HEADERS));
  const headers = Object.fromEntries(Object.entries(letter.headers).filter(([name]) => !parking.has(name)));
  return {
    topic: letter.sourceTopic,
    key: letter.key,
    value: letter.value,
    headers: { ...headers, [REPLAYED_FROM_HEADER]: `${deadLetterTopicOf(letter.sourceTopic)}/${letter.partition}/${letter.offset}` },
  };
}

/**
 * Every message in `<topic>.dlq` up to the end it had when reading began, read with a throwaway
 * consumer group that commits nothing (the dead letters stay where they are).
 */
export async function readDeadLetters(kafka: Kafka, sourceTopic: EventTopic): Promise<DeadLetter[]> {
  const topic = deadLetterTopicOf(sourceTopic);
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map<number, bigint>();
  try {
    for (const { partition, high, low } of await admin.fetchTopicOffsets(topic)) if (BigInt(high) > BigInt(low)) ends.set(partition, BigInt(high));
  } finally {
    await admin.disconnect();
  }
  const letters: DeadLetter[] = [];
  if (ends.size === 0) return letters;
  const consumer = kafka.consumer({ groupId: `dlq-tool-${randomUUID()}`, maxWaitTimeInMs: 200 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${topic} was not read to its end within ${READ_TIMEOUT_MS} ms`)), READ_TIMEOUT_MS);
      void consumer.run({
        autoCommit: false,
        eachMessage: async ({ partition, message }) => {
          const end = ends.get(partition);
          if (end === undefined || BigInt(message.offset) >= end) return;
          letters.push({ sourceTopic, partition, offset: message.offset, key: message.key, value: message.value, headers: headersAsText(message.headers) });
          if (BigInt(message.offset) + 1n >= end) ends.delete(partition);
          if (ends.size === 0) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return letters.sort((one, other) => one.partition - other.partition || Number(BigInt(one.offset) - BigInt(other.offset)));
}

/** Sends each replay with an idempotent producer, acknowledged by every in-sync replica; resolves with how many were sent. */
export async function replayDeadLetters(kafka: Kafka, letters: readonly DeadLetter[]): Promise<number> {
  if (letters.length === 0) return 0;
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  await producer.connect();
  try {
    for (const letter of letters) {
      const replay = replayMessageOf(letter);
      await producer.send({ topic: replay.topic, acks: -1, messages: [{ key: replay.key, value: replay.value, headers: { ...replay.headers } }] });
    }
    return letters.length;
  } finally {
    await producer.disconnect();
  }
}

function headersAsText(headers: IHeaders | undefined): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers ?? {}).flatMap(([name, value]) => {
      const first = Array.isArray(value) ? value[0] : value;
      return first === undefined ? [] : [[name, first.toString()]];
    }),
  );
}
