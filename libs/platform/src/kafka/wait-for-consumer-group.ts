import { Kafka } from 'kafkajs';
import { retryRetriableKafkaErrors } from './retry-retriable';

const POLL_MS = 200;

/**
 * Resolves once the consumer group has members and has settled. Nest's server returns from
 * `listen()` before its group has joined, and a request sent in that gap is never seen (a new
 * group starts at the latest offset), so a service says it is started only after this.
 */
export async function waitForConsumerGroup(kafka: Kafka, groupId: string, timeoutMs: number): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { groups } = await retryRetriableKafkaErrors(() => admin.describeGroups([groupId]));
      const group = groups[0];
      if (group && group.state === 'Stable' && group.members.length > 0) return;
      if (Date.now() > deadline) {
        throw new Error(`Consumer group ${groupId} did not settle within ${timeoutMs} ms (state ${group?.state ?? 'unknown'})`);
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  } finally {
    await admin.disconnect();
  }
}
