import { Kafka, KafkaConfig } from 'kafkajs';
import type { StartupDependency } from '../startup';
import { ensureTopics, TopicSpec } from './ensure-topics';

/**
 * Kafka is there when the cluster answers and the topics this process uses exist (created here
 * if missing). The check has a client of its own with the client's retries switched off: the
 * start-up backoff, which knows the deadline, decides how long to keep trying, and the error it
 * reports is the broker's own (ECONNREFUSED, ...), not a client-side timeout.
 */
export function kafkaDependency(config: KafkaConfig, topics: readonly TopicSpec[]): StartupDependency {
  const kafka = new Kafka({ ...config, retry: { retries: 0 } });
  return { name: 'kafka', check: () => ensureTopics(kafka, topics) };
}
