import { ALL_EVENT_CONTRACTS } from './event-catalog';
import { EVENT_METADATA_FIELDS } from './envelope';
import { EVENT_TOPIC_PARTITIONS } from './topics';

/**
 * The AsyncAPI 3.0 description of every event topic, built from the contracts themselves so the
 * document cannot drift from the code: docs/asyncapi.yaml is this object written out
 * (`npm run docs:asyncapi`), and a test fails when the two differ.
 */
export function asyncApiDocument(): Record<string, unknown> {
  const channels: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  const messages: Record<string, unknown> = {};
  for (const contract of ALL_EVENT_CONTRACTS) {
    // AsyncAPI ids allow letters, digits, - and _ only; the topic name is the channel's address.
    const channelId = contract.eventType;
    messages[contract.eventType] = {
      name: contract.eventType,
      title: contract.eventType,
      summary: contract.schema.doc,
      contentType: 'application/octet-stream',
      headers: {
        type: 'object',
        description: 'Repeated from the envelope for routers and dead-letter tools; the Avro value is the source of truth.',
        properties: {
          'event-id': { type: 'string', format: 'uuid' },
          'event-type': { type: 'string', const: contract.eventType },
          'correlation-id': { type: 'string' },
          traceparent: {
            type: 'string',
            pattern: '^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$',
            description:
              'W3C trace context naming the span that sent this message, in the trace of the transaction that recorded the event (kept with its outbox row). ' +
              'Set whenever the producer runs tracing, which it does by default without exporting spans (flags 00); continue it to join the trace.',
          },
        },
      },
      payload: { schemaFormat: 'application/vnd.apache.avro;version=1.9.0', schema: contract.schema },
      bindings: {
        kafka: {
          key: { type: 'string', description: `The payload's ${contract.keyField}: events of one ${contract.keyField} keep their order.` },
          schemaIdLocation: 'payload',
          schemaIdPayloadEncoding: 'confluent',
          bindingVersion: '0.5.0',
        },
      },
    };
    channels[channelId] = {
      address: contract.topic,
      title: contract.eventType,
      description: `Owned by ${contract.owner}. Values: Confluent wire format (magic byte, schema id), Avro schema registered under ${contract.valueSubject} with BACKWARD_TRANSITIVE compatibility.`,
      messages: { [contract.eventType]: { $ref: `#/components/messages/${contract.eventType}` } },
      // Partitions bound how many consumers of one group share the topic.
      bindings: { kafka: { partitions: EVENT_TOPIC_PARTITIONS, bindingVersion: '0.5.0' } },
    };
    channels[`${channelId}DeadLetters`] = {
      address: contract.deadLetterTopic,
      title: `${contract.eventType} dead letters`,
      description:
        'Messages a consumer gave up on after bounded retries: the original key, value and headers, plus dlq-reason, dlq-attempts, dlq-source-topic, dlq-source-partition, dlq-source-offset and dlq-consumer headers.',
      messages: { [contract.eventType]: { $ref: `#/components/messages/${contract.eventType}` } },
    };
    operations[`publish${contract.eventType}`] = {
      action: 'send',
      channel: { $ref: `#/channels/${channelId}` },
      summary: `${contract.owner} publishes ${contract.eventType} through its transactional outbox (at least once; deduplicate on metadata.eventId).`,
    };
  }
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Bill Vending Service events',
      version: '1.0.0',
      description:
        `Integration events of the Bill Vending Service. Every value is an Avro record { metadata, payload }; metadata carries ${EVENT_METADATA_FIELDS.join(', ')}. ` +
        'Amounts are long integers of minor units (amountMinor) with an ISO 4217 currency. Delivery is at least once. ' +
        `Kafka carries these events only (calls a user waits on go over gRPC); every topic has ${EVENT_TOPIC_PARTITIONS} partitions.`,
    },
    servers: {
      local: { host: '127.0.0.1:9092', protocol: 'kafka', description: 'deploy/local/infra.sh: a single KRaft broker', security: [{ $ref: '#/components/securitySchemes/scram' }] },
      cluster: {
        host: 'bvs-kafka-kafka-bootstrap:9092',
        protocol: 'kafka',
        description: 'Strimzi in Kubernetes (deploy/k8s). Reachable only from pods the listener admits.',
        security: [{ $ref: '#/components/securitySchemes/scram' }],
      },
    },
    channels,
    operations,
    components: {
      messages,
      securitySchemes: {
        scram: {
          type: 'scramSha512',
          description:
            'Every client is a SASL/SCRAM-SHA-512 user with its own ACLs (deploy/kafka/access.conf, ADR 0006): each service writes only the topics it owns; another team reads with a read-only user of its own (deploy/k8s/examples/kafka-user-reader.yaml).',
        },
      },
    },
  };
}
