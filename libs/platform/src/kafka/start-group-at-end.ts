import type { Kafka } from 'kafkajs';
import { retryRetriableKafkaErrors } from './retry-retriable';

/**
 * Commits the topics' current end offsets for `groupId`, so that the group, once it joins, reads
 * only what is written from now on. With `onlyWhereUncommitted`, a topic the group already has
 * offsets for is left as it is (a restarted service carries on where it stopped). The group must
 * have no members yet; if another instance of the service has just started it, nothing is left to do.
 */
export async function startGroupAtEnd(kafka: Kafka, groupId: string, topics: readonly string[], options: { readonly onlyWhereUncommitted?: boolean } = {}): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    for (const topic of topics) {
      if (options.onlyWhereUncommitted) {
        const committed = await retryRetriableKafkaErrors(() => admin.fetchOffsets({ groupId, topics: [topic] }));
        if (committed.some(({ partitions }) => partitions.some(({ offset }) => offset !== '-1'))) continue;
      }
      const ends = await retryRetriableKafkaErrors(() => admin.fetchTopicOffsets(topic));
      try {
        await retryRetriableKafkaErrors(() => admin.setOffsets({ groupId, topic, partitions: ends.map(({ partition, high }) => ({ partition, offset: high })) }));
      } catch (error) {
        // Another instance of the service started the group a moment ago: it set every topic's
        // offsets before joining, so there is nothing left to set (instances start together).
        if (error instanceof Error && /must have no running instances/.test(error.message)) return;
        throw error;
      }
    }
  } finally {
    await admin.disconnect();
  }
}
