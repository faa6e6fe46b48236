import { DynamicModule, Module } from '@nestjs/common';
import { READINESS_PATTERNS } from '@bvs/contracts';
import { databaseModule, HealthModule, loggingModule } from '@bvs/platform';
import { Kafka } from 'kafkajs';
import { AuthEnv } from './config/auth-env';
import { AUTH_DATABASE } from './persistence/auth-database';

export const AUTH_SERVICE = 'auth';

@Module({})
export class AppModule {
  static register(env: AuthEnv, kafka: Kafka): DynamicModule {
    return {
      module: AppModule,
      imports: [
        loggingModule({ service: AUTH_SERVICE, level: env.LOG_LEVEL }),
        databaseModule(env, AUTH_DATABASE),
        HealthModule.register({ service: AUTH_SERVICE, kafka, database: true, readinessPattern: READINESS_PATTERNS.auth }),
      ],
    };
  }
}
