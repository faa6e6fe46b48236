import { Expose, Transform, Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsIP, IsOptional, IsString, IsUrl, Length, Matches, Max, Min, ValidateBy, ValidationArguments } from 'class-validator';
import { NEW_GROUP_STARTS, type NewGroupStart } from '../messaging/messaging-constants';
import { EVENT_TOPIC_RETENTION_HOURS, type RetentionSettings } from '../messaging/messaging-retention';
import type { AlertWebhookSettings } from '../alerts/alerts';
import { LocalDefault } from './local-default';

const BROKER_LIST = /^[A-Za-z0-9.-]+:\d{1,5}(,[A-Za-z0-9.-]+:\d{1,5})*$/;
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Variables every service reads: where it listens, how loudly it logs, where Kafka and the registry are. */
export class ServiceEnv {
  /** Where the HTTP server (the API, or the probes of a backend) listens; 0 picks a free port (tests only). */
  @Expose()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(65535)
  HTTP_PORT!: number;

  /**
   * The management listener: GET /metrics (Prometheus text format) and nothing else, so the API
   * port can be published or routed without publishing the metrics (ADR 0010). Never publish this
   * one: only the cluster's scraper should reach it. One default for every service, since each
   * container has its own network namespace; processes sharing a host (deploy/local/up.sh) set a
   * port each. 0 picks a free port (tests only: RunningService.metricsUrl tells which).
   */
  @Expose()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(65535)
  @PortApartFrom('HTTP_PORT', 'GRPC_PORT')
  METRICS_PORT = 9464;

  /**
   * The address the HTTP, gRPC and management servers bind. Loopback by default, so a developer's
   * services are not reachable from the network they sit on; containers set 0.0.0.0 (the compose
   * file and the Kubernetes base do), and there network policies decide who may connect.
   */
  @Expose()
  @IsIP(undefined, { message: 'BIND_ADDRESS must be an IPv4 or IPv6 address' })
  BIND_ADDRESS = '127.0.0.1';

  /** The least severe log lines written: fatal, error, warn, info, debug, trace or silent. */
  @Expose()
  @IsIn(LOG_LEVELS)
  LOG_LEVEL: LogLevel = 'info';

  /** Kafka's bootstrap brokers, comma-separated host:port. */
  @Expose()
  @LocalDefault('127.0.0.1:9092')
  @Matches(BROKER_LIST, { message: 'KAFKA_BROKERS must be a comma-separated list of host:port' })
  KAFKA_BROKERS!: string;

  /** The schema registry's Confluent-compatible API (Apicurio's is at /apis/ccompat/v7). */
  @Expose()
  @LocalDefault('http://127.0.0.1:8081/apis/ccompat/v7')
  @IsUrl({ require_tld: false, protocols: ['http', 'https'] })
  SCHEMA_REGISTRY_URL!: string;

  /**
   * How long start-up waits for PostgreSQL, Kafka and the registry before the process exits with
   * the cause. Meanwhile it is live and not ready. Long enough for a cold registry or a broker
   * restart, short enough that a wrong address fails the rollout within minutes.
   */
  @Expose()
  @Type(() => Number)
  @IsInt()
  @Min(1_000)
  @Max(600_000)
  STARTUP_DEADLINE_MS = 60_000;

  /**
   * Ends consumer group and client ids (`wallet-events-<suffix>`), so parallel test runs never
   * share a group. A suffix, not a prefix: the broker's ACLs grant each service the groups that
   * start with its own name.
   */
  @Expose()
  @IsString()
  @Matches(/^[a-z0-9-]*$/, { message: 'KAFKA_GROUP_SUFFIX may hold only lower-case letters, digits and dashes' })
  KAFKA_GROUP_SUFFIX = '';
}

/**
 * The Kafka identity of a service that produces or consumes events (auth, wallet, billing): its
 * own SASL/SCRAM-SHA-512 user, which the broker's ACLs allow to write only its own topics and read
 * only what it consumes (deploy/kafka/access.conf, ADR 0006). There is no anonymous mode.
 */
export class KafkaIdentityEnv {
  /** The service's own Kafka user (SASL/SCRAM-SHA-512), e.g. bvs-wallet. */
  @Expose()
  @IsString()
  @Matches(/^[A-Za-z0-9._-]{1,255}$/, { message: 'KAFKA_SASL_USERNAME must name the service\'s Kafka user (letters, digits, dot, dash, underscore)' })
  KAFKA_SASL_USERNAME!: string;

  /** That user's SCRAM password (a secret). */
  @Expose()
  @IsString()
  @Length(1, 1024, { message: 'KAFKA_SASL_PASSWORD must be set (the Kafka user\'s SCRAM password)' })
  KAFKA_SASL_PASSWORD!: string;
}

/** Variables of a service that owns a database. */
export class DatabaseServiceEnv extends ServiceEnv {
  /** The service's own PostgreSQL database, postgres://user:password@host:port/database. */
  @Expose()
  @Matches(/^postgres(ql)?:\/\/.+\/[A-Za-z0-9_]+$/, {
    message: 'DATABASE_URL must be a postgres:// URL that names a database',
  })
  DATABASE_URL!: string;

  /** Connections to it, at most, shared by every request and consumer of the process. */
  @Expose()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  DATABASE_POOL_SIZE = 10;

  /**
   * Whether the service applies its own pending migrations at start-up ('true': locally, in compose
   * and in tests, every replica under one advisory lock). 'false' in Kubernetes: there the
   * service's migrate Job applies them as the migration role, the service's own role may not change
   * the schema, and start-up waits, not ready, until every migration of this build is applied.
   */
  @Expose()
  @Transform(({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean({ message: "DATABASE_MIGRATE_ON_START must be 'true' or 'false'" })
  DATABASE_MIGRATE_ON_START = true;
}

/** Variables of a service the gateway calls over gRPC (auth, wallet, billing). */
export class BackendServiceEnv extends DatabaseServiceEnv {
  /** Where its gRPC server listens; 0 picks a free port (tests only: callers must know it). */
  @Expose()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(65535)
  GRPC_PORT!: number;

  /** Published outbox rows are kept this long (for audit and a look back), then pruned. Unpublished rows never are. */
  @Expose()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(24 * 365)
  OUTBOX_RETENTION_HOURS = 72;

  /**
   * Least time between the starts of two outbox relay rounds: the commits made meanwhile are
   * published together, in fewer sends to Kafka and fewer fetches downstream. A row waits at most
   * this long, and only while rounds follow each other that closely: the first commit after a quiet
   * spell is published at once. 0 publishes each commit's rows as soon as the relay is free. At
   * 50 ms the machine's CPU went to the calls users wait on: at 200/s offered pay -> 202 p99 fell
   * to 80-119 ms from 132-212 at 0, and 202 -> COMPLETED p99 stayed at 283-301 ms against 266-441
   * (docs/benchmarks.md, 2026-12-07).
   */
  @Expose()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(1_000)
  OUTBOX_RELAY_MIN_ROUND_INTERVAL_MS = 50;

  /**
   * Inbox rows are kept this long, then pruned. It must outlast the event topics' retention (7 days)
   * by a day at least: a redelivered event whose inbox row is gone would be applied again.
   */
  @Expose()
  @Type(() => Number)
  @IsInt()
  @Min(EVENT_TOPIC_RETENTION_HOURS + 24)
  @Max(24 * 365)
  INBOX_RETENTION_HOURS = 14 * 24;

  /** How often the outbox and inbox are pruned. */
  @Expose()
  @Type(() => Number)
  @IsInt()
  @Min(1_000)
  @Max(24 * 3_600_000)
  RETENTION_INTERVAL_MS = 600_000;

  /** Rows per pruning DELETE. */
  @Expose()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100_000)
  RETENTION_BATCH_SIZE = 1_000;

  /** Pruning DELETEs per table per round; a larger backlog is worked off over the next rounds. */
  @Expose()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(10_000)
  RETENTION_MAX_BATCHES = 100;
}

/** Alerts of a backend that records them (wallet, billing): where they are sent, and how hard it tries. */
export class AlertingServiceEnv extends BackendServiceEnv {
  /** Alertmanager's /api/v2/alerts, or anything that takes its JSON; unset, alerts are recorded in `anomalies` and logged only. */
  @Expose()
  @IsOptional()
  @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true })
  ALERT_WEBHOOK_URL?: string;

  /** Sends of one alert before it is left recorded but unsent, with its last error. */
  @Expose()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1_000)
  ALERT_WEBHOOK_ATTEMPTS = 20;

  /** How long one send of an alert may take before it counts as failed. */
  @Expose()
  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(60_000)
  ALERT_WEBHOOK_TIMEOUT_MS = 5_000;

  /** How often recorded alerts are sent. */
  @Expose()
  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(3_600_000)
  ALERT_NOTIFY_INTERVAL_MS = 5_000;
}

/** The alert webhook's settings from a backend's environment. */
export function alertWebhookSettingsOf(env: AlertingServiceEnv): AlertWebhookSettings {
  return { url: env.ALERT_WEBHOOK_URL, attempts: env.ALERT_WEBHOOK_ATTEMPTS, timeoutMs: env.ALERT_WEBHOOK_TIMEOUT_MS, intervalMs: env.ALERT_NOTIFY_INTERVAL_MS };
}

/** The retention job's settings from a backend's environment. */
export function retentionSettingsOf(env: BackendServiceEnv): RetentionSettings {
  return {
    outboxRetentionHours: env.OUTBOX_RETENTION_HOURS,
    inboxRetentionHours: env.INBOX_RETENTION_HOURS,
    intervalMs: env.RETENTION_INTERVAL_MS,
    batchSize: env.RETENTION_BATCH_SIZE,
    maxBatchesPerRound: env.RETENTION_MAX_BATCHES,
  };
}

/** Variables of a backend service that consumes events (wallet, billing): how hard it works them. */
export class EventConsumingServiceEnv extends AlertingServiceEnv {
  /**
   * Partitions whose fetched batches a consumer works at the same time. Their events share
   * transactions (EVENT_TRANSACTIONS_IN_PARALLEL), so this costs no database connections: at 12, a
   * fetch from every partition of a topic is applied in one transaction.
   */
  @Expose()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(64)
  EVENT_PARTITIONS_IN_PARALLEL = 12;

  /**
   * Transactions a consumer applies events in at the same time, each holding a database
   * connection while it runs: keep it below DATABASE_POOL_SIZE, which the service's calls share.
   */
  @Expose()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(64)
  EVENT_TRANSACTIONS_IN_PARALLEL = 3;

  /**
   * Where a consumer group with no committed offsets starts: 'earliest' (every event the topics
   * still hold; what a deployment needs) or 'latest' (only what is written from start-up on; for
   * throwaway test systems sharing a broker with earlier ones).
   */
  @Expose()
  @IsIn(NEW_GROUP_STARTS)
  KAFKA_NEW_GROUP_STARTS_AT: NewGroupStart = 'earliest';

  /** Most events applied in one database transaction (one commit). */
  @Expose()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1_000)
  EVENTS_PER_TRANSACTION = 100;

  /**
   * Least time from one fetch's events being handed over to the next fetch: the events written
   * meanwhile are applied in fewer fetches and transactions. An event waits at most this long, and
   * only while fetches follow each other that closely: the first event after a quiet spell is
   * handed over at once. 0 fetches again as soon as a fetch is applied. 50 ms, with the relays'
   * `OUTBOX_RELAY_MIN_ROUND_INTERVAL_MS`, is what docs/benchmarks.md (2026-12-07) measured best.
   */
  @Expose()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(1_000)
  EVENT_FETCH_MIN_INTERVAL_MS = 50;
}

/** A port that is not one of the other variables' (0, any free port, may repeat). */
function PortApartFrom(...others: readonly string[]): PropertyDecorator {
  const taken = (args: ValidationArguments) => others.filter((name) => (args.object as Record<string, unknown>)[name] === args.value);
  return ValidateBy({
    name: 'portApartFrom',
    validator: {
      validate: (value: unknown, args?: ValidationArguments) => value === 0 || !args || taken(args).length === 0,
      defaultMessage: (args?: ValidationArguments) => `${args?.property ?? 'the port'} must differ from ${args ? taken(args).join(' and ') : others.join(' and ')}`,
    },
  });
}

export function brokerList(env: ServiceEnv): string[] {
  return env.KAFKA_BROKERS.split(',');
}

/** The id of a consumer group (or Kafka client) named `name`, e.g. `wallet-events` or `wallet-events-t1a2b3c`. */
export function kafkaGroupId(env: ServiceEnv, name: string): string {
  return env.KAFKA_GROUP_SUFFIX ? `${name}-${env.KAFKA_GROUP_SUFFIX}` : name;
}
