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
