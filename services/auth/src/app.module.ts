import { DynamicModule, Module } from '@nestjs/common';
import { AUTH_SERVICE as AUTH_GRPC_SERVICE } from '@bvs/contracts';
import { databaseModule, EventSchemaRegistry, HealthModule, TokenIdentityEnv, qualifiedServiceName, loggingModule, MetricsModule, OUTBOX_BACKLOG_GAUGE, OutboxModule } from '@bvs/platform';
import { Kafka } from 'kafkajs';
import { AuthEnv } from './config/auth-env';
import { AuthGrpcController } from './grpc/auth.grpc-controller';
import { AUTH_DATABASE } from './persistence/auth-database';
import { AccessTokenSigner } from './sessions/access-token-signer';
import { AuthService } from './sessions/auth.service';

export const AUTH_SERVICE = 'auth';

@Module({})
export class AppModule {
  static register(env: AuthEnv, identity: TokenIdentityEnv, kafka: Kafka, registry: EventSchemaRegistry): DynamicModule {
    return {
      module: AppModule,
      imports: [
        loggingModule({ service: AUTH_SERVICE, level: env.LOG_LEVEL }),
        databaseModule(env, AUTH_DATABASE),
        HealthModule.register({ service: AUTH_SERVICE, kafka, database: true, grpcServices: [qualifiedServiceName(AUTH_GRPC_SERVICE)] }),
        OutboxModule.register({ service: AUTH_SERVICE, kafka, registry }),
        MetricsModule.register({ service: AUTH_SERVICE, databaseGauges: [OUTBOX_BACKLOG_GAUGE] }),
      ],
      controllers: [AuthGrpcController],
      providers: [
        { provide: AuthEnv, useValue: env },
        { provide: AccessTokenSigner, useFactory: () => AccessTokenSigner.create(env, identity) },
        AuthService,
      ],
    };
  }
}
