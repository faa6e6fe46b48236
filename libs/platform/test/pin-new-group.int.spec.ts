import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { ensureTopics, pinNewGroupToTopicEnds } from '../src';
import { readInfraAddresses } from '../src/testing';

describe('pinNewGroupToTopicEnds on the real broker', () => {
  const kafka = new Kafka({ clientId: 'pin-it', brokers: readInfraAddresses().KAFKA_BROKERS.split(','), logLevel: logLevel.NOTHING });
  const topic = `it.pin-${randomUUID()}`;
  const admin = kafka.admin();
  const producer = kafka.producer();

  beforeAll(async () => {
    await ensureTopics(kafka, [{ topic, numPartitions: 2 }]);
    await Promise.all([admin.connect(), producer.connect()]);
    await producer.send({ topic, messages: Array.from({ length: 6 }, (_, index) => ({ key: `k${index}`, value: `before-${index}` })) });
  });

  afterAll(async () => {
    await Promise.all([admin.disconnect(), producer.disconnect()]);
  });

  const committedOf = async (groupId: string) => {
    const [result] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return Object.fromEntries((result?.partitions ?? []).map((partition) => [partition.partition, partition.offset]));
  };

  it('commits the current end of every partition for a group that never committed', async () => {
    const groupId = `pin-it-${randomUUID()}`;
    expect(Object.values(await committedOf(groupId))).toEqual(['-1', '-1']);
    await pinNewGroupToTopicEnds(kafka, groupId, [topic]);
    const ends = Object.fromEntries((await admin.fetchTopicOffsets(topic)).map((end) => [end.partition, end.high]));
    expect(await committedOf(groupId)).toEqual(ends);
    expect(Object.values(ends).reduce((sum, offset) => sum + Number(offset), 0)).toBe(6);
  });

  it('leaves a group that already committed where it is', async () => {
    const groupId = `pin-it-${randomUUID()}`;
    await admin.setOffsets({ groupId, topic, partitions: [{ partition: 0, offset: '0' }, { partition: 1, offset: '0' }] });
    await producer.send({ topic, messages: [{ key: 'later', value: 'after' }] });
    await pinNewGroupToTopicEnds(kafka, groupId, [topic]);
    expect(await committedOf(groupId)).toEqual({ 0: '0', 1: '0' });
  });
});
