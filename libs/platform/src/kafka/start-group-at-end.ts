import type { Kafka } from 'kafkajs';

/**
 * Commits the topics' current end offsets for `groupId`, so that the group, once it joins, reads
 * only what is written from now on. With `onlyWhereUncommitted`, a topic the group already has
 * offsets for is left as it is (a restarted service carries on where it stopped). The group must
 * have no members yet.
 */
export async function startGroupAtEnd(kafka: Kafka, groupId: string, topics: readonly string[], options: { readonly onlyWhereUncommitted?: boolean } = {}): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    for (const topic of topics) {
      if (options.onlyWhereUncommitted) {
        const committed = await admin.fetchOffsets({ groupId, topics: [topic] });
        if (committed.some(({ partitions }) => partitions.some(({ offset }) => offset !== '-1'))) continue;
      }
      const ends = await admin.fetchTopicOffsets(topic);
      await admin.setOffsets({ groupId, topic, partitions: ends.map(({ partition, high }) => ({ partition, offset: high })) });
    }
  } finally {
    await admin.disconnect();
  }
}
