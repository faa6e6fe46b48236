import { EVENT_TOPIC_PARTITIONS } from '@bvs/contracts';
import { Kafka, KafkaJSAggregateError, KafkaJSProtocolError } from 'kafkajs';

export interface TopicSpec {
  readonly topic: string;
  readonly numPartitions?: number;
}


/**
 * Several processes starting on a fresh broker create the same topics at once. The loser of that
 * race gets TOPIC_ALREADY_EXISTS (fine) and then, while the winner's topic is still spreading
 * through the cluster's metadata, UNKNOWN_TOPIC_OR_PARTITION or LEADER_NOT_AVAILABLE when it waits
 * for leaders. Those settle within moments, so they are retried this many times, this far apart.
 */
const SETTLE_ATTEMPTS = 10;
const SETTLE_DELAY_MS = 300;
const NOT_SETTLED_YET = new Set(['UNKNOWN_TOPIC_OR_PARTITION', 'LEADER_NOT_AVAILABLE']);

/**
 * Makes sure the topics a process produces to or consumes from exist before it subscribes:
 * relying on auto-creation makes the first subscriber race the topic's leader election and lose
 * messages. On the platform's brokers the topics are declared (deploy/kafka/access.conf, KafkaTopic
 * resources) and no service may create one, so this only confirms them; it creates what is missing
 * where the identity is allowed to. Replication is left to the broker default (1 locally, 3 on
 * the cluster through Strimzi). With no topics it still connects, so it doubles as the check that
 * the cluster answers.
 */
export async function ensureTopics(kafka: Kafka, specs: readonly TopicSpec[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    for (let attempt = 1; ; attempt += 1) {
      try {
        const existing = new Set(await admin.listTopics());
        const missing = specs.filter((spec) => !existing.has(spec.topic));
        if (missing.length === 0) return;
        await admin.createTopics({
          waitForLeaders: true,
          topics: missing.map((spec) => ({ topic: spec.topic, numPartitions: spec.numPartitions ?? EVENT_TOPIC_PARTITIONS })),
        });
        return;
      } catch (error) {
        if (refusedByAcl(error)) {
          const names = specs.map((spec) => spec.topic).join(', ');
          throw new Error(`Kafka: some of ${names} is missing or invisible to this user, who may not create topics; declare them (deploy/kafka/access.conf, KafkaTopic) and grant the user`, { cause: error });
        }
        const settling = error instanceof KafkaJSProtocolError && NOT_SETTLED_YET.has(error.type);
        if (!settling || attempt >= SETTLE_ATTEMPTS) throw error;
        await new Promise((resolve) => setTimeout(resolve, SETTLE_DELAY_MS));
      }
    }
  } finally {
    await admin.disconnect();
  }
}

function refusedByAcl(error: unknown): boolean {
  const errors = error instanceof KafkaJSAggregateError ? error.errors : [error];
  return errors.some((inner) => inner instanceof KafkaJSProtocolError && inner.type === 'TOPIC_AUTHORIZATION_FAILED');
}
