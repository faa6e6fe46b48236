import { randomUUID } from 'node:crypto';
import { EventByTopic, EventTopic } from '@bvs/contracts';
import { EventSchemaRegistry } from '@bvs/platform';
import { readInfraAddresses, testKafkaConfig } from '@bvs/platform/testing';
import { Kafka } from 'kafkajs';

/**
 * Reads a topic from the beginning, as an outside consumer would, decoding each value through the
 * schema registry, until an event matches. Other tests share the topics, hence the predicate.
 */
export async function waitForEvent<T extends EventTopic>(
  topic: T,
  matches: (event: EventByTopic[T]) => boolean,
  timeoutMs = 30_000,
): Promise<EventByTopic[T]> {
  const infra = readInfraAddresses();
  const registry = new EventSchemaRegistry(infra.SCHEMA_REGISTRY_URL);
  const kafka = new Kafka(testKafkaConfig('e2e-event-reader'));
  const consumer = kafka.consumer({ groupId: `e2e-reader-${randomUUID()}`, maxWaitTimeInMs: 200 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    return await new Promise<EventByTopic[T]>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching event on ${topic} within ${timeoutMs} ms`)), timeoutMs);
      void consumer.run({
        eachMessage: async ({ message }) => {
          if (!message.value) return;
          const event = await registry.decodeEvent(topic, message.value);
          if (matches(event)) {
            clearTimeout(timer);
            resolve(event);
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
}

/**
 * Every event on a topic, from its beginning up to what was written when the call was made, that
 * matches: for proving an event was not written. Wait first for a later event of the same
 * producer (its outbox publishes in commit order), so that anything written before is in range.
 */
export async function eventsWrittenSoFar<T extends EventTopic>(
  topic: T,
  matches: (event: EventByTopic[T]) => boolean,
  timeoutMs = 30_000,
): Promise<EventByTopic[T][]> {
  const infra = readInfraAddresses();
  const registry = new EventSchemaRegistry(infra.SCHEMA_REGISTRY_URL);
  const kafka = new Kafka(testKafkaConfig('e2e-event-reader'));
  const admin = kafka.admin();
  await admin.connect();
  // The offset each partition must be read up to (exclusive); an empty partition is done already.
  const ends = new Map<number, bigint>();
  try {
    for (const { partition, high } of await admin.fetchTopicOffsets(topic)) if (BigInt(high) > 0n) ends.set(partition, BigInt(high));
  } finally {
    await admin.disconnect();
  }
  const found: EventByTopic[T][] = [];
  if (ends.size === 0) return found;
  const consumer = kafka.consumer({ groupId: `e2e-reader-${randomUUID()}`, maxWaitTimeInMs: 200 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${topic} was not read to its end within ${timeoutMs} ms`)), timeoutMs);
      void consumer.run({
        eachMessage: async ({ partition, message }) => {
          const end = ends.get(partition);
          if (end === undefined || BigInt(message.offset) >= end) return;
          if (message.value) {
            const event = await registry.decodeEvent(topic, message.value);
            if (matches(event)) found.push(event);
          }
          if (BigInt(message.offset) + 1n >= end) ends.delete(partition);
          if (ends.size === 0) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
    return found;
  } finally {
    await consumer.disconnect();
  }
}
