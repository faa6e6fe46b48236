import type { Consumer, IHeaders, Kafka } from 'kafkajs';
import { ensureTopics, startGroupAtEnd as commitEndOffsets } from '../../kafka';
import { uniqueGroupPrefix } from '../../testing';

/** A message read back by a test, with its headers as text. */
export interface TailedMessage {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: string | undefined;
  readonly value: Buffer | null;
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * Points a new consumer group at the current end of `topics`, so it reads only what is written
 * from now on: the event topics are shared with other tests and services, and their history is
 * none of this test's business.
 */
export async function startGroupAtEnd(kafka: Kafka, groupId: string, topics: readonly string[]): Promise<void> {
  await ensureTopics(
    kafka,
    topics.map((topic) => ({ topic })),
  );
  await commitEndOffsets(kafka, groupId, topics);
}

/**
 * Reads everything written to some topics after it was opened, for tests to assert on. Tests
 * filter what it collects by the event ids or keys they produced.
 */
export class TopicTail {
  private readonly received: TailedMessage[] = [];

  private constructor(private readonly consumer: Consumer) {}

  static async open(kafka: Kafka, topics: readonly string[]): Promise<TopicTail> {
    const groupId = `${uniqueGroupPrefix()}tail`;
    await startGroupAtEnd(kafka, groupId, topics);
    const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 1_000, maxWaitTimeInMs: 100 });
    const tail = new TopicTail(consumer);
    await consumer.connect();
    await consumer.subscribe({ topics: [...topics], fromBeginning: false });
    await consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        tail.received.push({
          topic,
          partition,
          offset: message.offset,
          key: message.key?.toString(),
          value: message.value,
          headers: textHeaders(message.headers),
        });
      },
    });
    return tail;
  }

  get messages(): readonly TailedMessage[] {
    return this.received;
  }

  /** Resolves with the messages that match once `done` says enough arrived; rejects at the deadline. */
  async waitFor(
    match: (message: TailedMessage) => boolean,
    done: (matched: readonly TailedMessage[]) => boolean,
    timeoutMs = 20_000,
  ): Promise<TailedMessage[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const matched = this.received.filter(match);
      if (done(matched)) return matched;
      if (Date.now() > deadline) throw new Error(`TopicTail: only ${matched.length} matching messages within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async close(): Promise<void> {
    await this.consumer.disconnect();
  }
}

function textHeaders(headers: IHeaders | undefined): Record<string, string> {
  const text: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) text[name] = first.toString();
  }
  return text;
}
