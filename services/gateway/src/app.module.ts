import { DynamicModule, Inject, MiddlewareConsumer, Module, NestModule, OnApplicationShutdown, RequestMethod } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import {
  AccessTokenEnv,
  accessTokenSettingsOf,
  AccessTokenVerifier,
  HealthModule,
  InFlightLimit,
  loggingModule,
  MetricsModule,
  MetricsRegistry,
  RateLimiter,
  RedisReadinessCheck,
  SessionRevocations,
} from '@bvs/platform';
import type Redis from 'ioredis';
import { Counter, Gauge } from 'prom-client';
import { BackendClients, BACKENDS } from './backends/backend-clients';
import { BackendReadinessCheck } from './health/backend-readiness.check';
import { JwtAuthGuard } from './auth/jwt-auth.guard';
import { GatewayEnv } from './config/gateway-env';
import { ServicesHealthController } from './health/services-health.controller';
import { jsonBodyMiddleware } from './http/json-body.middleware';
import { requestAdmissionMiddleware } from './http/request-admission';
import { ProblemDetailsFilter } from './http/problem-details.filter';
import { strictValidationPipe } from './http/validation';
import { BillsController } from './bills/bills.controller';
import { CheckedMeters } from './bills/checked-meters';
import { UsersController } from './users/users.controller';
import { WalletsController } from './wallets/wallets.controller';
import { PaymentProcessorWebhookController } from './webhooks/payment-processor-webhook.controller';
import { FailedLogins } from './limits/failed-logins';
import { RateLimitGuard } from './limits/rate-limit.guard';

export const GATEWAY_SERVICE = 'gateway';
const REDIS = Symbol('REDIS');

@Module({})
export class AppModule implements NestModule, OnApplicationShutdown {
  constructor(
    private readonly env: GatewayEnv,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly metrics: MetricsRegistry,
  ) {}

  /** `redis` holds the limits' counters and the revoked sessions, shared with every replica and auth. */
  static register(env: GatewayEnv, tokens: AccessTokenEnv, backends: BackendClients, shared: { client: Redis; keyPrefix: string }): DynamicModule {
    const redis = shared.client;
    return {
      module: AppModule,
      imports: [
        loggingModule({ service: GATEWAY_SERVICE, level: env.LOG_LEVEL }),
        HealthModule.register({
          service: GATEWAY_SERVICE,
          database: false,
          checks: [...BACKENDS.map((backend) => new BackendReadinessCheck(backend, backends)), new RedisReadinessCheck(redis)],
        }),
        MetricsModule.register({ service: GATEWAY_SERVICE }),
      ],
      controllers: [ServicesHealthController, UsersController, WalletsController, BillsController, PaymentProcessorWebhookController],
      providers: [
        { provide: GatewayEnv, useValue: env },
        { provide: AccessTokenVerifier, useFactory: () => AccessTokenVerifier.create(accessTokenSettingsOf(tokens, tokens.JWT_PUBLIC_KEY)) },
        { provide: BackendClients, useValue: backends },
        { provide: REDIS, useValue: redis },
        { provide: RateLimiter, useValue: new RateLimiter(redis, shared.keyPrefix) },
        { provide: SessionRevocations, useValue: new SessionRevocations(redis, shared.keyPrefix) },
        { provide: CheckedMeters, useValue: new CheckedMeters(env.METER_CHECK_CACHE_TTL_MS, env.METER_CHECK_CACHE_MAX_ENTRIES) },
        FailedLogins,
        // The JWT guard counts user policies (with its session check), RateLimitGuard address policies.
        { provide: APP_GUARD, useClass: JwtAuthGuard },
        { provide: APP_GUARD, useClass: RateLimitGuard },
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
        { provide: APP_PIPE, useFactory: strictValidationPipe },
      ],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    const admission = new InFlightLimit(this.env.MAX_REQUESTS_IN_FLIGHT);
    new Gauge({
      name: 'bvs_gateway_requests_in_flight',
      help: 'Requests this gateway is working on (probes left out), against its MAX_REQUESTS_IN_FLIGHT',
      registers: [this.metrics],
      collect() {
        this.set(admission.inFlight);
      },
    });
    const refused = new Counter({
      name: 'bvs_gateway_requests_refused_total',
      help: 'Requests answered 503 at once because MAX_REQUESTS_IN_FLIGHT were in flight; nothing was done for them',
      registers: [this.metrics],
    });
    consumer
      .apply(
        requestAdmissionMiddleware(admission, () => refused.inc()),
        jsonBodyMiddleware(this.env.BODY_LIMIT_BYTES),
      )
      .forRoutes({ path: '{*path}', method: RequestMethod.ALL });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
