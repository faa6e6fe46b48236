import { DynamicModule, MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { AccessTokenEnv, accessTokenSettingsOf, AccessTokenVerifier, HealthModule, loggingModule, MetricsModule } from '@bvs/platform';
import { BackendClients, BACKENDS } from './backends/backend-clients';
import { BackendReadinessCheck } from './health/backend-readiness.check';
import { JwtAuthGuard } from './auth/jwt-auth.guard';
import { GatewayEnv } from './config/gateway-env';
import { ServicesHealthController } from './health/services-health.controller';
import { jsonBodyMiddleware } from './http/json-body.middleware';
import { ProblemDetailsFilter } from './http/problem-details.filter';
import { strictValidationPipe } from './http/validation';
import { BillsController } from './bills/bills.controller';
import { UsersController } from './users/users.controller';
import { WalletsController } from './wallets/wallets.controller';

export const GATEWAY_SERVICE = 'gateway';

@Module({})
export class AppModule implements NestModule {
  constructor(private readonly env: GatewayEnv) {}

  static register(env: GatewayEnv, tokens: AccessTokenEnv, backends: BackendClients): DynamicModule {
    return {
      module: AppModule,
      imports: [
        loggingModule({ service: GATEWAY_SERVICE, level: env.LOG_LEVEL }),
        HealthModule.register({ service: GATEWAY_SERVICE, database: false, checks: BACKENDS.map((backend) => new BackendReadinessCheck(backend, backends)) }),
        MetricsModule.register({ service: GATEWAY_SERVICE }),
        // In-memory counters: per replica. Behind several replicas the effective limit is
        // replicas x AUTH_RATE_LIMIT, until a shared store (Redis) backs it.
        ThrottlerModule.forRoot({ throttlers: [{ name: 'default', ttl: env.AUTH_RATE_WINDOW_SECONDS * 1_000, limit: env.AUTH_RATE_LIMIT }] }),
      ],
      controllers: [ServicesHealthController, UsersController, WalletsController, BillsController],
      providers: [
        { provide: GatewayEnv, useValue: env },
        { provide: AccessTokenVerifier, useFactory: () => AccessTokenVerifier.create(accessTokenSettingsOf(tokens, tokens.JWT_PUBLIC_KEY)) },
        { provide: BackendClients, useValue: backends },
        { provide: APP_GUARD, useClass: JwtAuthGuard },
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
        { provide: APP_PIPE, useFactory: strictValidationPipe },
      ],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(jsonBodyMiddleware(this.env.BODY_LIMIT_BYTES)).forRoutes({ path: '{*path}', method: RequestMethod.ALL });
  }
}
