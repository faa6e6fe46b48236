import { DynamicModule, INestApplication, RequestMethod } from '@nestjs/common';
import { NestFactory, Reflector } from '@nestjs/core';
import { Kafka, KafkaConfig } from 'kafkajs';
import { Logger as PinoLogger } from 'nestjs-pino';
import { ServiceEnv } from '../config';
import type { AccessTokenVerifier } from '../auth';
import { AccessTokenGuard, GrpcErrorFilter, grpcServerOptions, GrpcServiceDefinition } from '../grpc';
import { kafkaDependency, TopicSpec } from '../kafka';
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
  stop(): Promise<void>;
}

/**
 * Starts a service the same way in production and in tests: waits for its dependencies (live but
 * not ready meanwhile), then the gRPC server (token guard, and the error filter that keeps error
 * codes intact), the HTTP server (probes, metrics; the gateway's API), graceful shutdown.
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
  return { app, url, stop: () => app.close() };
}

async function createApplication(definition: ServiceDefinition): Promise<INestApplication> {
  const app = await NestFactory.create(definition.module, { bufferLogs: true, bodyParser: definition.bodyParser ?? true });
  app.useLogger(app.get(PinoLogger));
  // Metrics stay outside the public prefix, so an ingress that routes only the prefix never exposes them.
  if (definition.httpPrefix) app.setGlobalPrefix(definition.httpPrefix, { exclude: [{ path: 'metrics', method: RequestMethod.GET }] });
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
