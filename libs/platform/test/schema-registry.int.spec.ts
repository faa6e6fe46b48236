import { randomUUID } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import {
  ALL_EVENT_TOPICS,
  EVENT_CONTRACTS,
  EVENT_TOPICS,
  eventKeyOf,
  recordNameOf,
  valueSubjectOf,
  type AnyIntegrationEvent,
  type AvroField,
  type AvroRecordSchema,
  type EventTopic,
} from '@bvs/contracts';
import { Kafka, logLevel, type Admin, type Consumer, type KafkaMessage, type Producer } from 'kafkajs';
import { ensureTopics } from '../src/kafka/ensure-topics';
import {
  EventSchemaRegistry,
  EventValidationError,
  parseAvroSchema,
  SchemaIncompatibleError,
  SchemaRegistryUnavailableError,
  SubjectCompatibilityMismatchError,
  UnexpectedSchemaError,
  UnknownSchemaError,
  writeWireFormat,
} from '../src/schema-registry';
import { BEYOND_SAFE_INTEGER, sampleEvent } from '../src/schema-registry/testing';
import { schemaRegistryDeployAuth, testKafkaConfig } from '../src/testing';

/*
 * Against the real broker and the real registry (Apicurio's Confluent-compatible API).
 * The events go to the real topics and register under the real subjects (registering an unchanged
 * schema is idempotent). Re-runs never read each other's messages: the test notes the offset each
 * message was written at, points a fresh consumer group exactly there, and keeps only those
 * offsets. Compatibility experiments use throwaway subjects, deleted afterwards.
 */

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`${name} is not set (the int project's global setup sets it)`);
  return value;
}

const REGISTRY_URL = requiredEnv('SCHEMA_REGISTRY_URL');
const RUN_ID = `${Date.now().toString(36)}-${randomUUID().slice(0, 8)}`;
const DEADLINE_MS = 20_000;
/** These tests register and delete schemas: the deploy step's part, with its credentials. */
const DEPLOY_AUTH = schemaRegistryDeployAuth();
const DEPLOY_AUTHORIZATION: Record<string, string> = DEPLOY_AUTH ? { authorization: `Basic ${Buffer.from(`${DEPLOY_AUTH.username}:${DEPLOY_AUTH.password}`).toString('base64')}` } : {};

/** Registry calls the client does not offer (reading config, deleting subjects), bounded by a timeout. */
async function registryRequest(method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const response = await fetch(`${REGISTRY_URL}${path}`, {
    method,
    headers: { 'Content-Type': 'application/vnd.schemaregistry.v1+json', ...DEPLOY_AUTHORIZATION },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(5_000),
  });
  const text = await response.text();
  return { status: response.status, json: text === '' ? null : (JSON.parse(text) as unknown) };
}

function withExtraPayloadField(schema: AvroRecordSchema, field: AvroField): AvroRecordSchema {
  return {
    ...schema,
    fields: schema.fields.map((outer) => {
      if (outer.name !== 'payload') return outer;
      const payload = outer.type as AvroRecordSchema;
      return { ...outer, type: { ...payload, fields: [...payload.fields, field] } };
    }),
  };
}

describe('EventSchemaRegistry against the real registry and broker', () => {
  let registry: EventSchemaRegistry;
  let kafka: Kafka;
  let admin: Admin;
  let producer: Producer;
  let consumer: Consumer | undefined;
  const throwawaySubjects: string[] = [];

  beforeAll(async () => {
    registry = new EventSchemaRegistry(REGISTRY_URL, { requestTimeoutMs: 5_000, retries: 2, registers: true, ...(DEPLOY_AUTH ? { auth: DEPLOY_AUTH } : {}) });
    kafka = new Kafka({
      ...testKafkaConfig(`schema-registry-it-${RUN_ID}`),
      logLevel: logLevel.ERROR,
      connectionTimeout: 3_000,
      requestTimeout: 10_000,
      retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 2_000 },
    });
    await ensureTopics(
      kafka,
      ALL_EVENT_TOPICS.map((topic) => ({ topic })),
    );
    admin = kafka.admin();
    await admin.connect();
    producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
    await producer.connect();
  }, 30_000);

  afterAll(async () => {
    await consumer?.disconnect();
    await producer?.disconnect();
    await admin?.disconnect();
    for (const subject of throwawaySubjects) {
      // Soft delete, then permanent: Confluent semantics, which Apicurio's ccompat follows.
      await registryRequest('DELETE', `/subjects/${encodeURIComponent(subject)}`).catch(() => undefined);
      await registryRequest('DELETE', `/subjects/${encodeURIComponent(subject)}?permanent=true`).catch(() => undefined);
      await registryRequest('DELETE', `/config/${encodeURIComponent(subject)}`).catch(() => undefined);
    }
  }, 30_000);

  /** A subject of this run only, deleted afterwards. */
  function throwawaySubject(purpose: string): string {
    const subject = `bvs-it.${purpose}-${RUN_ID}-value`;
    throwawaySubjects.push(subject);
    return subject;
  }

  async function compatibilityOf(subject: string): Promise<unknown> {
    const { json } = await registryRequest('GET', `/config/${encodeURIComponent(subject)}`);
    return (json as { compatibilityLevel?: unknown }).compatibilityLevel;
  }

  it('registers every contract under <topic>-value with BACKWARD_TRANSITIVE compatibility, idempotently', async () => {
    const ids = await registry.registerAll();
    expect([...ids.keys()].sort()).toEqual([...ALL_EVENT_TOPICS].sort());
    for (const topic of ALL_EVENT_TOPICS) {
      const id = ids.get(topic);
      expect(id).toBeGreaterThan(0);
      const config = await registryRequest('GET', `/config/${encodeURIComponent(valueSubjectOf(topic))}`);
      expect(config).toEqual({ status: 200, json: expect.objectContaining({ compatibilityLevel: 'BACKWARD_TRANSITIVE' }) });
      const latest = await registryRequest('GET', `/subjects/${encodeURIComponent(valueSubjectOf(topic))}/versions/latest`);
      expect(latest.json).toEqual(expect.objectContaining({ id }));
    }
    // A second process registering the same schemas gets the same ids.
    const again = await new EventSchemaRegistry(REGISTRY_URL, { requestTimeoutMs: 5_000, retries: 2, ...(DEPLOY_AUTH ? { auth: DEPLOY_AUTH } : {}) }).registerAll();
    expect(again).toEqual(ids);
  });

  it('carries every event through Kafka and back, field for field, bigint amounts beyond 2^53 included', async () => {
    const sent = new Map<string, { topic: EventTopic; event: AnyIntegrationEvent; key: string; traceparent: string }>();
    for (const topic of ALL_EVENT_TOPICS) {
      const event = sampleEvent(topic);
      const key = eventKeyOf(topic, event as never);
      const traceparent = `00-${randomUUID().replace(/-/g, '')}-${randomUUID().replace(/-/g, '').slice(0, 16)}-01`;
      const value = await registry.encode(topic, event as never);
      const [metadata] = await producer.send({
        topic,
        acks: -1,
        timeout: 10_000,
        messages: [
          {
            key,
            value,
            headers: {
              'event-id': event.metadata.eventId,
              'event-type': event.metadata.eventType,
              'correlation-id': event.metadata.correlationId,
              traceparent,
            },
          },
        ],
      });
      if (!metadata) throw new Error(`no produce metadata for ${topic}`);
      const { partition, baseOffset } = metadata;
      expect(baseOffset).toBeDefined();
      sent.set(`${topic}/${partition}/${baseOffset}`, { topic, event, key, traceparent });
    }

    // A fresh group whose committed offsets are exactly where our messages were written.
    const groupId = `schema-registry-it-${RUN_ID}`;
    for (const [position] of sent) {
      const [topic, partition, offset] = position.split('/') as [string, string, string];
      await admin.setOffsets({ groupId, topic, partitions: [{ partition: Number(partition), offset }] });
    }

    const received = new Map<string, KafkaMessage>();
    let allReceived: () => void = () => undefined;
    const done = new Promise<void>((resolve) => (allReceived = resolve));
    consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 1_000, maxWaitTimeInMs: 200, retry: { retries: 3 } });
    await consumer.connect();
    await consumer.subscribe({ topics: [...ALL_EVENT_TOPICS], fromBeginning: false });
    await consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        const position = `${topic}/${partition}/${message.offset}`;
        if (sent.has(position)) received.set(position, message);
        if (received.size === sent.size) allReceived();
      },
    });
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      done,
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`received ${received.size} of ${sent.size} messages in ${DEADLINE_MS} ms`)), DEADLINE_MS);
      }),
    ]).finally(() => clearTimeout(timer));
    await consumer.disconnect();
    consumer = undefined;

    for (const [position, original] of sent) {
      const message = received.get(position);
      if (!message?.value) throw new Error(`nothing received at ${position}`);
      expect(message.key?.toString()).toBe(original.key);
      expect(message.headers?.['event-id']?.toString()).toBe(original.event.metadata.eventId);
      expect(message.headers?.['event-type']?.toString()).toBe(original.event.metadata.eventType);
      expect(message.headers?.['correlation-id']?.toString()).toBe(original.event.metadata.correlationId);
      expect(message.headers?.['traceparent']?.toString()).toBe(original.traceparent);

      const decoded = await registry.decodeEvent(original.topic, message.value);
      expect(decoded).toEqual(original.event);
      if ('amountMinor' in decoded.payload) expect(decoded.payload.amountMinor).toBe(BEYOND_SAFE_INTEGER + 2n);

      // A reader that knows nothing about the topic (another registry instance, cold cache) agrees.
      const generic = await new EventSchemaRegistry(REGISTRY_URL).decode(message.value);
      expect(generic.recordName).toBe(recordNameOf(original.topic));
      expect(generic.value).toEqual(original.event);
    }
    const funded = [...sent.values()].find((entry) => entry.topic === EVENT_TOPICS.walletFunded);
    if (!funded) throw new Error('wallet-funded was not among the sent events');
    expect((funded.event.payload as { availableAfterMinor: bigint }).availableAfterMinor).toBe(2n ** 63n - 1n);
  }, 45_000);

  it('refuses an incompatible schema change with SchemaIncompatibleError and accepts a compatible one', async () => {
    const subject = throwawaySubject('compat');
    const base = EVENT_CONTRACTS[EVENT_TOPICS.paymentRequested].schema;
    const v1 = await registry.registerSchema(subject, base);
    expect(await compatibilityOf(subject)).toBe('BACKWARD_TRANSITIVE');

    const requiredField = withExtraPayloadField(base, { name: 'feeMinor', type: 'long', doc: 'Fee, required: old messages have none to read.' });
    const refusal = registry.registerSchema(subject, requiredField);
    await expect(refusal).rejects.toBeInstanceOf(SchemaIncompatibleError);
    await expect(refusal).rejects.toMatchObject({ code: 'SCHEMA_REGISTRY.SCHEMA_INCOMPATIBLE', retriable: false, subject });

    const optionalField = withExtraPayloadField(base, {
      name: 'channel',
      type: ['null', 'string'],
      default: null,
      doc: 'Optional: old messages read as null.',
    });
    const v2 = await registry.registerSchema(subject, optionalField);
    expect(v2).toBeGreaterThan(0);
    expect(v2).not.toBe(v1);
    const versions = await registryRequest('GET', `/subjects/${encodeURIComponent(subject)}/versions`);
    expect(versions.json).toEqual([1, 2]);

    // A consumer built against v1 still reads a message written with v2: the new field is dropped.
    const event = sampleEvent(EVENT_TOPICS.paymentRequested);
    const written = writeWireFormat(v2, parseAvroSchema(optionalField).toBuffer({ ...event, payload: { ...event.payload, channel: 'ussd' } }));
    await expect(registry.decodeEvent(EVENT_TOPICS.paymentRequested, written)).resolves.toEqual(event);
  });

  it('checks a new version against every earlier one, not only the latest (TRANSITIVE)', async () => {
    const base = EVENT_CONTRACTS[EVENT_TOPICS.paymentRequested].schema;
    // v1 has a string `channel`, v2 drops it (a reader ignores what it does not know), v3 brings it
    // back as a long with a default: it reads v2's messages, and cannot read v1's strings as longs.
    const history = [
      withExtraPayloadField(base, { name: 'channel', type: 'string', doc: 'The first version of the field.' }),
      base,
      withExtraPayloadField(base, { name: 'channel', type: 'long', default: 0, doc: 'The field again, of another type.' }),
    ] as const;

    const transitive = throwawaySubject('transitive');
    await registry.registerSchema(transitive, history[0]);
    await registry.registerSchema(transitive, history[1]);
    await expect(registry.registerSchema(transitive, history[2])).rejects.toBeInstanceOf(SchemaIncompatibleError);

    // The control: plain BACKWARD, which checks against the latest version only, takes it.
    const latestOnly = throwawaySubject('latest-only');
    const backward = new EventSchemaRegistry(REGISTRY_URL, { compatibility: 'BACKWARD', requestTimeoutMs: 5_000, retries: 2, ...(DEPLOY_AUTH ? { auth: DEPLOY_AUTH } : {}) });
    for (const schema of history) await backward.registerSchema(latestOnly, schema);
    expect((await registryRequest('GET', `/subjects/${encodeURIComponent(latestOnly)}/versions`)).json).toEqual([1, 2, 3]);
  });

  it('raises a subject created under a looser level before registering, as the deploy step does for subjects made under BACKWARD', async () => {
    for (const looser of ['BACKWARD', 'NONE']) {
      const subject = throwawaySubject(`raised-${looser.toLowerCase()}`);
      const schema = EVENT_CONTRACTS[EVENT_TOPICS.userRegistered].schema;
      expect((await registryRequest('POST', `/subjects/${encodeURIComponent(subject)}/versions`, { schema: JSON.stringify(schema) })).status).toBe(200);
      await registryRequest('PUT', `/config/${encodeURIComponent(subject)}`, { compatibility: looser });

      await registry.registerSchema(subject, schema);
      expect(await compatibilityOf(subject)).toBe('BACKWARD_TRANSITIVE');
    }
  });

  it('refuses to register into a subject under a level its own does not include, rather than loosen it', async () => {
    const subject = throwawaySubject('stray');
    const schema = EVENT_CONTRACTS[EVENT_TOPICS.userRegistered].schema;
    const created = await registryRequest('POST', `/subjects/${encodeURIComponent(subject)}/versions`, { schema: JSON.stringify(schema) });
    expect(created.status).toBe(200);
    await registryRequest('PUT', `/config/${encodeURIComponent(subject)}`, { compatibility: 'FORWARD' });
    await expect(registry.registerSchema(subject, schema)).rejects.toBeInstanceOf(SubjectCompatibilityMismatchError);
    expect(await compatibilityOf(subject)).toBe('FORWARD');
  });

  it('names decode failures: unknown schema id, a message of another topic', async () => {
    await expect(registry.decode(writeWireFormat(2_147_483_000, Buffer.from([0])))).rejects.toBeInstanceOf(UnknownSchemaError);
    const registered = await registry.encode(EVENT_TOPICS.userRegistered, sampleEvent(EVENT_TOPICS.userRegistered));
    await expect(registry.decodeEvent(EVENT_TOPICS.paymentFailed, registered)).rejects.toBeInstanceOf(UnexpectedSchemaError);
  });

  it('refuses to encode an amount given as a number, naming the field', async () => {
    const event = sampleEvent(EVENT_TOPICS.walletFunded);
    const bad = { ...event, payload: { ...event.payload, amountMinor: 1500 as unknown as bigint } };
    const attempt = registry.encode(EVENT_TOPICS.walletFunded, bad);
    await expect(attempt).rejects.toBeInstanceOf(EventValidationError);
    await expect(attempt).rejects.toMatchObject({ paths: [['payload', 'amountMinor']] });
  });

  describe('when the registry cannot be reached', () => {
    let silent: Server;
    const sockets = new Set<Socket>();

    beforeAll(async () => {
      // Accepts connections and never answers: only the request timeout can end the call.
      silent = createServer((socket) => {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
      });
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    });

    afterAll(async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    });

    it('fails with the retriable SchemaRegistryUnavailableError when nothing listens', async () => {
      const closedPort = new EventSchemaRegistry('http://127.0.0.1:1/apis/ccompat/v7', { retries: 0, requestTimeoutMs: 1_000 });
      const attempt = closedPort.register(EVENT_TOPICS.userRegistered);
      await expect(attempt).rejects.toBeInstanceOf(SchemaRegistryUnavailableError);
      await expect(attempt).rejects.toMatchObject({ retriable: true, code: 'SCHEMA_REGISTRY.UNAVAILABLE' });
      await expect(closedPort.decode(writeWireFormat(1, Buffer.from([0])))).rejects.toBeInstanceOf(SchemaRegistryUnavailableError);
    });

    it('gives up after requestTimeoutMs when the registry hangs', async () => {
      const { port } = silent.address() as AddressInfo;
      const hanging = new EventSchemaRegistry(`http://127.0.0.1:${port}/apis/ccompat/v7`, { retries: 0, requestTimeoutMs: 300 });
      const started = Date.now();
      await expect(hanging.register(EVENT_TOPICS.userRegistered)).rejects.toBeInstanceOf(SchemaRegistryUnavailableError);
      expect(Date.now() - started).toBeLessThan(3_000);
    });
  });
});
