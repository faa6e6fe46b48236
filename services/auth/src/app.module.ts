import { DynamicModule, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { AUTH_SERVICE as AUTH_GRPC_SERVICE } from '@bvs/contracts';
import { databaseModule, EventSchemaRegistry, HealthModule, loggingModule, MetricsModule, OUTBOX_BACKLOG_GAUGE, OUTBOX_OLDEST_UNPUBLISHED_AGE_GAUGE, OutboxModule, qualifiedServiceName, RedisReadinessCheck, SessionRevocations, TokenIdentityEnv, retentionSettingsOf } from '@bvs/platform';
import type Redis from 'ioredis';
import { Kafka } from 'kafkajs';
import { AuthEnv } from './config/auth-env';
import { AuthGrpcController } from './grpc/auth.grpc-controller';
import { AUTH_DATABASE } from './persistence/auth-database';
import { AccessTokenSigner } from './sessions/access-token-signer';
import { AuthService } from './sessions/auth.service';
import { PasswordHashing } from './sessions/password-hashing';

export const AUTH_SERVICE = 'auth';
const REDIS = Symbol('REDIS');

@Module({})
export class AppModule implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  /** `redis` is where ended sessions are recorded for the gateways (SessionRevocations). */
  static register(env: AuthEnv, identity: TokenIdentityEnv, kafka: Kafka, registry: EventSchemaRegistry, shared: { client: Redis; keyPrefix: string }): DynamicModule {
    const redis = shared.client;
    return {
      module: AppModule,
      imports: [
        loggingModule({ service: AUTH_SERVICE, level: env.LOG_LEVEL }),
        databaseModule(env, AUTH_DATABASE),
        HealthModule.register({ service: AUTH_SERVICE, kafka, database: true, grpcServices: [qualifiedServiceName(AUTH_GRPC_SERVICE)], checks: [new RedisReadinessCheck(redis)] }),
        OutboxModule.register({ service: AUTH_SERVICE, kafka, registry, retention: retentionSettingsOf(env), minRoundIntervalMs: env.OUTBOX_RELAY_MIN_ROUND_INTERVAL_MS }),
        MetricsModule.register({ service: AUTH_SERVICE, databaseGauges: [OUTBOX_BACKLOG_GAUGE, OUTBOX_OLDEST_UNPUBLISHED_AGE_GAUGE] }),
      ],
      controllers: [AuthGrpcController],
      providers: [
        { provide: AuthEnv, useValue: env },
        { provide: REDIS, useValue: redis },
        { provide: SessionRevocations, useValue: new SessionRevocations(redis, shared.keyPrefix) },
        { provide: AccessTokenSigner, useFactory: () => AccessTokenSigner.create(env, identity) },
        PasswordHashing,
        AuthService,
      ],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
