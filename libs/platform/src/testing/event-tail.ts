import type { EventByTopic, EventTopic } from '@bvs/contracts';
import { Kafka } from 'kafkajs';
import { TopicTail } from '../messaging/testing/topic-tail';
import { EventSchemaRegistry } from '../schema-registry';
import { readInfraAddresses } from './infrastructure';
import { testKafkaConfig } from './kafka-identities';

// For a test that runs a service's own consumer: its group must start at the end of the shared topics.
export { startGroupAtEnd } from '../messaging/testing/topic-tail';

/** An event a test read back from Kafka, decoded through the registry, with the message it came in. */
export interface ReadEvent<T extends EventTopic> {
  readonly event: EventByTopic[T];
  readonly key: string | undefined;
  readonly headers: Readonly<Record<string, string>>;
  readonly partition: number;
  readonly offset: string;
}

/**
 * Reads back, as an outside consumer would (the test identity, in a group of its own that starts
 * at the end of the topics), the events written to some topics after it was opened, and decodes
 * them through the schema registry: for tests that check what a service published, not only that
 * it marked its outbox. The topics are shared with other tests and services, so events are picked
 * by their message key.
 */
export class EventTail {
  private constructor(
    private readonly tail: TopicTail,
    private readonly registry: EventSchemaRegistry,
  ) {}

  static async open(topics: readonly EventTopic[], clientId = 'event-tail'): Promise<EventTail> {
    const tail = await TopicTail.open(new Kafka(testKafkaConfig(clientId)), topics);
    return new EventTail(tail, new EventSchemaRegistry(readInfraAddresses().SCHEMA_REGISTRY_URL));
  }

  /**
   * The events on `topic` keyed `key`, decoded, once at least `count` of them have arrived; rejects
   * after `timeoutMs`. A message with that key that is not the topic's event fails the call.
   */
  async waitForKey<T extends EventTopic>(topic: T, key: string, count = 1, timeoutMs = 20_000): Promise<ReadEvent<T>[]> {
    const messages = await this.tail.waitFor(
      (message) => message.topic === topic && message.key === key,
      (matched) => matched.length >= count,
      timeoutMs,
    );
    return Promise.all(
      messages.map(async ({ value, key: messageKey, headers, partition, offset }) => {
        if (value === null) throw new Error(`a message without a value on ${topic} keyed ${key}`);
        return { event: await this.registry.decodeEvent(topic, value), key: messageKey, headers, partition, offset };
      }),
    );
  }

  close(): Promise<void> {
    return this.tail.close();
  }
}
