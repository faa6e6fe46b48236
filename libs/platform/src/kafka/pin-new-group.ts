import { Kafka } from 'kafkajs';

/**
 * Commits the current end of each topic for a consumer group that has never committed there.
 * A new group told to start at "latest" fixes that position only on its first fetch, and a
 * message written between its joining and that fetch is skipped; with a committed offset there
 * is no such gap. A group that already has offsets (a restart, another replica) is left alone.
 */
export async function pinNewGroupToTopicEnds(kafka: Kafka, groupId: string, topics: readonly string[]): Promise<void> {
  if (topics.length === 0) return;
  const admin = kafka.admin();
  await admin.connect();
  try {
    const committed = await admin.fetchOffsets({ groupId, topics: [...topics] });
    for (const { topic, partitions } of committed) {
      const uncommitted = new Set(partitions.filter((partition) => partition.offset === '-1').map((partition) => partition.partition));
      if (uncommitted.size === 0) continue;
      const ends = await admin.fetchTopicOffsets(topic);
      await admin.setOffsets({
        groupId,
        topic,
        partitions: ends.filter((end) => uncommitted.has(end.partition)).map((end) => ({ partition: end.partition, offset: end.high })),
      });
    }
  } finally {
    await admin.disconnect();
  }
}
