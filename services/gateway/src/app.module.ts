import { DynamicModule, Inject, MiddlewareConsumer, Module, NestModule, OnApplicationShutdown, RequestMethod } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import {
  AccessTokenEnv,
  accessTokenSettingsOf,
  AccessTokenVerifier,
  HealthModule,
  loggingModule,
  MetricsModule,
  RateLimiter,
  RedisReadinessCheck,
  SessionRevocations,
} from '@bvs/platform';
import type Redis from 'ioredis';
import { BackendClients, BACKENDS } from './backends/backend-clients';
import { BackendReadinessCheck } from './health/backend-readiness.check';
import { JwtAuthGuard } from './auth/jwt-auth.guard';
import { GatewayEnv } from './config/gateway-env';
import { ServicesHealthController } from './health/services-health.controller';
import { jsonBodyMiddleware } from './http/json-body.middleware';
import { RequestAdmission, requestAdmissionMiddleware } from './http/request-admission';
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
        // In this order: the rate limit of a user policy counts the user the JWT guard verified.
        { provide: APP_GUARD, useClass: JwtAuthGuard },
        { provide: APP_GUARD, useClass: RateLimitGuard },
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
        { provide: APP_PIPE, useFactory: strictValidationPipe },
      ],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply(requestAdmissionMiddleware(new RequestAdmission(this.env.MAX_REQUESTS_IN_FLIGHT)), jsonBodyMiddleware(this.env.BODY_LIMIT_BYTES))
      .forRoutes({ path: '{*path}', method: RequestMethod.ALL });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
