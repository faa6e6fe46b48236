import {
  ALL_EVENT_TOPICS,
  avroFullName,
  EVENT_CONTRACTS,
  valueSubjectOf,
  type AvroRecordSchema,
  type EventByTopic,
  type EventTopic,
} from '@bvs/contracts';
import { SchemaRegistry, SchemaType, COMPATIBILITY } from '@kafkajs/confluent-schema-registry';
import { ConfluentSchemaRegistryValidationError } from '@kafkajs/confluent-schema-registry/dist/errors';
import type { Resolver, Type } from 'avsc';
import { avroParseOptions, parseAvroSchema } from './avro-bigint-long';
import { EventValidationError } from './errors/event-validation.error';
import { MalformedMessageError } from './errors/malformed-message.error';
import { SchemaRegistryRequestError } from './errors/schema-registry-request.error';
import { SchemaRegistryUnavailableError } from './errors/schema-registry-unavailable.error';
import { SubjectCompatibilityMismatchError } from './errors/subject-compatibility-mismatch.error';
import { UnexpectedSchemaError } from './errors/unexpected-schema.error';
import { UnknownSchemaError } from './errors/unknown-schema.error';
import { translateRegistryError } from './registry-error-translation';
import {
  compatibilityIncludes,
  isSchemaCompatibility,
  resolveEventSchemaRegistryOptions,
  type EventSchemaRegistryOptions,
  type SchemaCompatibility,
} from './schema-registry-options';
import { readWireHeader } from './wire-format';

type ClientArgs = ConstructorParameters<typeof SchemaRegistry>[0];
type ClientMiddleware = NonNullable<ClientArgs['middlewares']>[number];

/** A wire-format message read with the schema it was written with. */
export interface DecodedMessage {
  readonly schemaId: number;
  /** Fully qualified Avro name of the writer's record, e.g. `dev.billvending.events.v1.PaymentFailed`. */
  readonly recordName: string;
  /** The decoded record: plain objects, `long` as `bigint`. */
  readonly value: unknown;
}

interface ReaderForTopic {
  readonly type: Type;
  /** Resolvers from each writer schema id seen so far to this topic's contract schema. */
  readonly resolvers: Map<number, Resolver>;
}

/** Bounds the per-topic resolver cache: one entry per writer schema version ever seen. */
const MAX_RESOLVERS_PER_TOPIC = 64;

/**
 * The event contracts' gateway to a Confluent-compatible schema registry (Apicurio locally): finds
 * (or, for the deploy step, registers) every contract schema under `<topic>-value` with
 * BACKWARD_TRANSITIVE compatibility, encodes events into the Confluent wire format, and decodes
 * them back, with Avro `long` as `bigint` throughout.
 *
 * Failures come out as the named errors in `./errors` (`SchemaIncompatibleError`,
 * `UnknownSchemaError`, `SchemaRegistryUnavailableError` (the only retriable one), ...).
 *
 * One instance per process: the underlying client keeps its retry settings in module state
 * (`Object.assign` onto a shared default), so instances built with different retry options would
 * share the last one's. Schema ids are cached for the life of the instance (ids never change).
 */
export class EventSchemaRegistry {
  private readonly client: SchemaRegistry;
  private readonly options: EventSchemaRegistryOptions;
  private readonly schemaIds = new Map<EventTopic, Promise<number>>();
  private readonly readers = new Map<EventTopic, ReaderForTopic>();

  constructor(
    readonly registryUrl: string,
    options: Partial<EventSchemaRegistryOptions> = {},
  ) {
    if (!/^https?:\/\/\S+$/.test(registryUrl)) throw new RangeError(`registryUrl must be an http(s) URL, got "${registryUrl}"`);
    this.options = resolveEventSchemaRegistryOptions(options);
    const { requestTimeoutMs, retries, initialRetryDelayMs, maxRetryDelayMs, clientId, auth } = this.options;
    const timeout: ClientMiddleware = () => ({
      async prepareRequest(next) {
        const request = await next();
        return request.enhance({ timeout: requestTimeoutMs });
      },
    });
    this.client = new SchemaRegistry(
      {
        host: registryUrl.replace(/\/+$/, ''),
        clientId,
        ...(auth === undefined ? {} : { auth: { username: auth.username, password: auth.password } }),
        retry: {
          retries,
          initialRetryTimeInSecs: initialRetryDelayMs / 1000,
          maxRetryTimeInSecs: maxRetryDelayMs / 1000,
          multiplier: 2,
          factor: 0.2,
        },
        middlewares: [timeout],
      },
      { [SchemaType.AVRO]: avroParseOptions() },
    );
  }

  /** The settings in force (defaults merged with the constructor's overrides). */
  get settings(): EventSchemaRegistryOptions {
    return this.options;
  }

  /**
   * Registers every contract schema (one subject per topic) and returns their ids: the deploy
   * step's job (npm run schemas:register), which needs the registry's write credentials.
   * Idempotent: registering an unchanged schema returns its existing id, so a schema the registry
   * refuses stops the deploy instead of the first publish.
   */
  async registerAll(): Promise<ReadonlyMap<EventTopic, number>> {
    const ids = await Promise.all(ALL_EVENT_TOPICS.map(async (topic) => [topic, await this.register(topic)] as const));
    return new Map(ids);
  }

  /**
   * The ids of every contract schema, looked up (or registered, with `registers`). Services call it
   * at start-up: until the deploy step has registered this build's contracts they are not ready.
   */
  async resolveAll(): Promise<ReadonlyMap<EventTopic, number>> {
    const ids = await Promise.all(ALL_EVENT_TOPICS.map(async (topic) => [topic, await this.schemaIdOf(topic)] as const));
    return new Map(ids);
  }

  /** Registers (once per instance, then cached) the contract schema of `topic` under `<topic>-value`. */
  register(topic: EventTopic): Promise<number> {
    return this.cachedId(topic, (subject, schema) => this.registerSchema(subject, schema));
  }

  /** The id of `topic`'s contract schema: looked up, or registered by an instance that `registers`; then cached. */
  schemaIdOf(topic: EventTopic): Promise<number> {
    return this.cachedId(topic, (subject, schema) => (this.options.registers ? this.registerSchema(subject, schema) : this.lookupSchema(subject, schema)));
  }

  private cachedId(topic: EventTopic, obtain: (subject: string, schema: AvroRecordSchema) => Promise<number>): Promise<number> {
    const cached = this.schemaIds.get(topic);
    if (cached !== undefined) return cached;
    const id = obtain(valueSubjectOf(topic), EVENT_CONTRACTS[topic].schema);
    this.schemaIds.set(topic, id);
    // A failed call is forgotten so the next one tries again.
    void id.catch(() => this.schemaIds.delete(topic));
    return id;
  }

  /** The id under which `schema` is registered in `subject`; SchemaNotRegisteredError when it is not. A read: no credentials needed. */
  async lookupSchema(subject: string, schema: AvroRecordSchema): Promise<number> {
    try {
      return await this.client.getRegistryIdBySchema(subject, { type: SchemaType.AVRO, schema: JSON.stringify(schema) });
    } catch (error) {
      throw translateRegistryError(error, { kind: 'lookup', subject });
    }
  }

  /**
   * Registers any Avro record schema under `subject`, once the subject is under this instance's
   * compatibility level (see {@link applyCompatibility}), so the registry checks the schema by
   * that level. Not cached. The contracts go through {@link register}; tooling and tests call this.
   */
  async registerSchema(subject: string, schema: AvroRecordSchema): Promise<number> {
    await this.applyCompatibility(subject);
    try {
      const { id } = await this.client.register(
        { type: SchemaType.AVRO, schema: JSON.stringify(schema) },
        { subject, compatibility: COMPATIBILITY[this.options.compatibility] },
      );
      return id;
    } catch (error) {
      throw translateRegistryError(error, { kind: 'register', subject });
    }
  }

  /**
   * Puts `subject` under this instance's compatibility level before anything is registered in it.
   * A subject created under a looser level (BACKWARD before 2026-12, or the registry's global rule,
   * which Apicurio reports for a subject without one of its own) is raised, so from now on each new
   * version is checked against every earlier one. Only ever tightens: a subject under a level this
   * one does not include (FORWARD, FULL...) is refused, never loosened silently. Setting the level
   * is a write, so it needs the deploy step's credentials; a subject already at it needs none.
   */
  private async applyCompatibility(subject: string): Promise<void> {
    const wanted = this.options.compatibility;
    const current = await this.subjectCompatibility(subject);
    if (current === wanted) return;
    if (current !== undefined && !compatibilityIncludes(wanted, current)) {
      throw new SubjectCompatibilityMismatchError(subject, `it is under ${current}, which ${wanted} does not include; change the subject's level or this registry's on purpose`);
    }
    await this.configRequest('PUT', subject, { compatibility: wanted });
  }

  /** The subject's level; undefined for a subject the registry does not know (it accepts a level for one before its first version). */
  private async subjectCompatibility(subject: string): Promise<SchemaCompatibility | undefined> {
    const config = await this.configRequest('GET', subject);
    if (config === undefined) return undefined;
    const level = (config as { compatibilityLevel?: unknown }).compatibilityLevel;
    if (!isSchemaCompatibility(level)) throw new SchemaRegistryRequestError(200, `GET /config/${subject} answered no known compatibility level: ${JSON.stringify(config)}`);
    return level;
  }

  /**
   * `/config/<subject>` by hand: the client library reads and sets it only inside its register(),
   * and only for a subject it creates. One attempt within the request timeout; the deploy step
   * retries what is retriable (registerContractSchemas).
   */
  private async configRequest(method: 'GET' | 'PUT', subject: string, body?: unknown): Promise<unknown> {
    const { requestTimeoutMs, clientId, auth } = this.options;
    const path = `/config/${encodeURIComponent(subject)}`;
    let status: number;
    let text: string;
    try {
      const response = await fetch(`${this.registryUrl.replace(/\/+$/, '')}${path}`, {
        method,
        headers: {
          'Content-Type': 'application/vnd.schemaregistry.v1+json',
          'User-Agent': clientId,
          ...(auth === undefined ? {} : { Authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}` }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(requestTimeoutMs),
      });
      status = response.status;
      text = await response.text();
    } catch (error) {
      throw new SchemaRegistryUnavailableError(undefined, `${method} ${path}: ${errorText(error)}`, { cause: error });
    }
    // 40401 is "subject not found"; any other 404 (a wrong URL path) is a refusal like the rest.
    if (method === 'GET' && status === 404 && /"error_code"\s*:\s*40401\b/.test(text)) return undefined;
    if (status === 408 || status === 429 || status >= 500) throw new SchemaRegistryUnavailableError(status, `${method} ${path}: ${text}`);
    if (status < 200 || status >= 300) throw new SchemaRegistryRequestError(status, `${method} ${path}: ${text}`);
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      throw new SchemaRegistryRequestError(status, `${method} ${path} answered something other than JSON: ${text.slice(0, 200)}`, { cause: error });
    }
  }

  /**
   * Encodes an event for `topic` into the Confluent wire format, with the id of the topic's schema
   * (looked up once, see {@link schemaIdOf}). Refuses (`EventValidationError`) an event that does
   * not match the schema, e.g. an amount given as a `number` instead of a `bigint`.
   */
  async encode<T extends EventTopic>(topic: T, event: EventByTopic[T]): Promise<Buffer> {
    const schemaId = await this.schemaIdOf(topic);
    try {
      return await this.client.encode(schemaId, event);
    } catch (error) {
      if (error instanceof ConfluentSchemaRegistryValidationError) throw new EventValidationError(topic, error.paths, { cause: error });
      throw translateRegistryError(error, { kind: 'fetch-schema', schemaId });
    }
  }

  /**
   * Decodes any wire-format Avro message with the schema it names (fetched from the registry once
   * per id, then cached), whatever the topic. For tools such as a dead-letter inspector.
   */
  async decode(message: Buffer): Promise<DecodedMessage> {
    const { schemaId, body } = readWireHeader(message);
    const writer = await this.writerType(schemaId);
    const value = readBody(() => writer.fromBuffer(body));
    return { schemaId, recordName: writer.name ?? '(anonymous)', value };
  }

  /**
   * Decodes a message from `topic` into the topic's contract type. The message is read with the
   * writer's schema and resolved into the contract schema this code was built with (Avro schema
   * resolution), so a producer already on a newer compatible version is read correctly.
   * `UnexpectedSchemaError` when the writer's record is not this topic's event.
   */
  async decodeEvent<T extends EventTopic>(topic: T, message: Buffer): Promise<EventByTopic[T]> {
    const { schemaId, body } = readWireHeader(message);
    const writer = await this.writerType(schemaId);
    const reader = this.readerFor(topic);
    let resolver = reader.resolvers.get(schemaId);
    if (resolver === undefined) {
      const expected = avroFullName(EVENT_CONTRACTS[topic].schema);
      if (writer.name !== expected) {
        throw new UnexpectedSchemaError(topic, schemaId, `writer record is ${writer.name ?? '(anonymous)'}, expected ${expected}`);
      }
      try {
        resolver = reader.type.createResolver(writer);
      } catch (error) {
        throw new UnexpectedSchemaError(topic, schemaId, errorText(error), { cause: error });
      }
      if (reader.resolvers.size >= MAX_RESOLVERS_PER_TOPIC) reader.resolvers.clear();
      reader.resolvers.set(schemaId, resolver);
    }
    const resolved = resolver;
    return readBody(() => reader.type.fromBuffer(body, resolved)) as EventByTopic[T];
  }

  private async writerType(schemaId: number): Promise<Type> {
    let schema: unknown;
    try {
      schema = await this.client.getSchema(schemaId);
    } catch (error) {
      throw translateRegistryError(error, { kind: 'fetch-schema', schemaId });
    }
    if (!isAvroType(schema)) throw new UnknownSchemaError(schemaId, 'the schema is not an Avro schema');
    return schema;
  }

  private readerFor(topic: EventTopic): ReaderForTopic {
    let reader = this.readers.get(topic);
    if (reader === undefined) {
      reader = { type: parseAvroSchema(EVENT_CONTRACTS[topic].schema), resolvers: new Map() };
      this.readers.set(topic, reader);
    }
    return reader;
  }
}

function isAvroType(schema: unknown): schema is Type {
  return (
    typeof schema === 'object' &&
    schema !== null &&
    typeof (schema as { fromBuffer?: unknown }).fromBuffer === 'function' &&
    typeof (schema as { createResolver?: unknown }).createResolver === 'function'
  );
}

function readBody(read: () => unknown): unknown {
  try {
    return read();
  } catch (error) {
    throw new MalformedMessageError(`the Avro body does not match its writer schema: ${errorText(error)}`, { cause: error });
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
