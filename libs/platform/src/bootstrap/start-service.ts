import { DynamicModule, INestApplication } from '@nestjs/common';
import { ModulesContainer, NestFactory, Reflector } from '@nestjs/core';
import { Kafka, KafkaConfig } from 'kafkajs';
import { Logger as PinoLogger } from 'nestjs-pino';
import { ServiceEnv } from '../config';
import type { AccessTokenVerifier } from '../auth';
import { AccessTokenGuard, GrpcErrorFilter, grpcServerOptions, GrpcServiceDefinition } from '../grpc';
import { kafkaDependency, TopicSpec } from '../kafka';
import { MetricsRegistry, MetricsServer } from '../metrics';
import { DEFAULT_DEPENDENCY_WAIT_POLICY, StartupDependency, StartupProbeServer, StartupProgress, waitForDependencies } from '../startup';

export interface ServiceDefinition {
  readonly name: string;
  readonly env: ServiceEnv;
  /** The root module, already configured for this environment. */
  readonly module: DynamicModule;
  /**
   * The client the service's producers and consumers share, and the configuration it was made
   * from (start-up checks the broker with a client of its own); absent for a process outside the
   * event flow (the provider simulator).
   */
  readonly kafka?: { readonly client: Kafka; readonly config: KafkaConfig };
  /** Event topics this service consumes; created at start-up, before it subscribes. */
  readonly consumedTopics: readonly TopicSpec[];
  /** Topics this process only produces to (created at start-up like the consumed ones). */
  readonly producedTopics?: readonly TopicSpec[];
  /**
   * What must answer before the application starts (PostgreSQL, Kafka, the registry), waited for
   * with backoff up to `STARTUP_DEADLINE_MS`. Kafka, when given, is added here with the topics above.
   */
  readonly dependencies?: readonly StartupDependency[];
  /** The gRPC server of a service the gateway calls; absent for processes that serve none. */
  readonly grpc?: GrpcServerDefinition;
  /** Global HTTP path prefix, e.g. `api` for the gateway. */
  readonly httpPrefix?: string;
  /**
   * False when the service parses bodies itself (the gateway does, after its request logger, so
   * refused bodies are answered and logged like any other request).
   */
  readonly bodyParser?: boolean;
  /** Extra HTTP set-up (validation, Swagger, security headers) before the server listens. */
  readonly configureHttp?: (app: INestApplication) => void | Promise<void>;
}

export interface GrpcServerDefinition {
  readonly port: number;
  /** The contract services this process implements (the standard health service is added). */
  readonly services: readonly GrpcServiceDefinition[];
  /** Checks the caller's access token on every method not marked @PublicRoute(). */
  readonly verifier: AccessTokenVerifier;
}

export interface RunningService {
  readonly app: INestApplication;
  /** The address the HTTP server listens on, e.g. `http://127.0.0.1:3001`. */
  readonly url: string;
  /**
   * The management listener's address (METRICS_PORT), where `GET /metrics` answers, e.g.
   * `http://127.0.0.1:9464`; undefined for a process that keeps no metrics (the provider simulator).
   */
  readonly metricsUrl: string | undefined;
  stop(): Promise<void>;
}

/**
 * Starts a service the same way in production and in tests: waits for its dependencies (live but
 * not ready meanwhile), then the gRPC server (token guard, and the error filter that keeps error
 * codes intact), the HTTP server (probes; the gateway's API), the management listener (metrics,
 * on METRICS_PORT only), graceful shutdown.
 */
export async function startService(definition: ServiceDefinition): Promise<RunningService> {
  const kafkaTopics = [...definition.consumedTopics, ...(definition.producedTopics ?? [])];
  const dependencies = [...(definition.kafka ? [kafkaDependency(definition.kafka.config, kafkaTopics)] : []), ...(definition.dependencies ?? [])];
  const progress = new StartupProgress();
  // Holds the port until the application takes it over, so probes see "live, not ready" throughout.
  const probes = await StartupProbeServer.listen(definition.env.HTTP_PORT, definition.env.BIND_ADDRESS, progress);
  let app: INestApplication;
  try {
    await waitForDependencies(dependencies, { ...DEFAULT_DEPENDENCY_WAIT_POLICY, deadlineMs: definition.env.STARTUP_DEADLINE_MS }, progress);
    progress.markWaiting('application', 'starting');
    app = await createApplication(definition);
  } finally {
    await probes.close();
  }
  await app.listen(definition.env.HTTP_PORT, definition.env.BIND_ADDRESS);
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1').replace('0.0.0.0', '127.0.0.1');
  const metrics = await startMetricsServer(app, definition.env);
  const metricsUrl = metrics ? `http://${reachableHost(definition.env.BIND_ADDRESS)}:${metrics.port}` : undefined;
  return {
    app,
    url,
    metricsUrl,
    // The scraper loses the process first, so no scrape runs a gauge against a closing database.
    stop: async () => {
      await metrics?.close();
      await app.close();
    },
  };
}

/**
 * Serves the application's MetricsRegistry on METRICS_PORT, once the application is up (while it
 * waits for its dependencies there is nothing to report, and the scraper sees the target down).
 * A process without the MetricsModule gets no listener. A port that cannot be bound stops the
 * start-up: a service that runs without its metrics would go unwatched.
 */
async function startMetricsServer(app: INestApplication, env: ServiceEnv): Promise<MetricsServer | undefined> {
  const registry = metricsRegistryOf(app);
  if (!registry) return undefined;
  try {
    return await MetricsServer.listen(registry, env.METRICS_PORT, env.BIND_ADDRESS);
  } catch (error) {
    await app.close();
    throw new Error(`The management listener could not bind METRICS_PORT ${env.METRICS_PORT} on ${env.BIND_ADDRESS}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * The MetricsRegistry of the application, if any module provides one. Looked up among the modules
 * rather than with `app.get`, which for a missing provider ends the process instead of throwing.
 */
function metricsRegistryOf(app: INestApplication): MetricsRegistry | undefined {
  for (const module of app.get(ModulesContainer).values()) {
    const instance: unknown = module.providers.get(MetricsRegistry)?.instance;
    if (instance instanceof MetricsRegistry) return instance;
  }
  return undefined;
}

/** Where a client on this host reaches a listener bound to `bindAddress`. */
function reachableHost(bindAddress: string): string {
  if (bindAddress === '0.0.0.0') return '127.0.0.1';
  if (bindAddress === '::') return '[::1]';
  return bindAddress.includes(':') ? `[${bindAddress}]` : bindAddress;
}

async function createApplication(definition: ServiceDefinition): Promise<INestApplication> {
  const app = await NestFactory.create(definition.module, { bufferLogs: true, bodyParser: definition.bodyParser ?? true });
  app.useLogger(app.get(PinoLogger));
  if (definition.httpPrefix) app.setGlobalPrefix(definition.httpPrefix);
  await definition.configureHttp?.(app);

  if (definition.grpc) {
    // Deferred so the filter and guard are registered before the handlers are bound; Nest ignores them otherwise.
    const microservice = app.connectMicroservice(grpcServerOptions(definition.env.BIND_ADDRESS, definition.grpc.port, definition.grpc.services), { deferInitialization: true });
    microservice.useGlobalFilters(new GrpcErrorFilter());
    microservice.useGlobalGuards(new AccessTokenGuard(app.get(Reflector), definition.grpc.verifier));
    await app.startAllMicroservices();
  }
  return app;
}
