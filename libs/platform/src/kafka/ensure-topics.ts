import { Kafka } from 'kafkajs';

export interface TopicSpec {
  readonly topic: string;
  readonly numPartitions?: number;
}

const DEFAULT_PARTITIONS = 3;

/**
 * Creates the topics a process produces to or consumes from before it subscribes: relying on
 * auto-creation makes the first subscriber race the topic's leader election and lose messages.
 * Replication is left to the broker default (1 locally, 3 on the cluster through Strimzi).
 */
export async function ensureTopics(kafka: Kafka, specs: readonly TopicSpec[]): Promise<void> {
  if (specs.length === 0) return;
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = specs.filter((spec) => !existing.has(spec.topic));
    if (missing.length === 0) return;
    await admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((spec) => ({ topic: spec.topic, numPartitions: spec.numPartitions ?? DEFAULT_PARTITIONS })),
    });
  } finally {
    await admin.disconnect();
  }
}

export function replyTopicOf(pattern: string): string {
  return `${pattern}.reply`;
}
