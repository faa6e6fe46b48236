import { DynamicModule, Module } from '@nestjs/common';
import { READINESS_PATTERNS } from '@bvs/contracts';
import { databaseModule, HealthModule, loggingModule } from '@bvs/platform';
import { Kafka } from 'kafkajs';
import { BillingEnv } from './config/billing-env';
import { BILLING_DATABASE } from './persistence/billing-database';

export const BILLING_SERVICE = 'billing';

@Module({})
export class AppModule {
  static register(env: BillingEnv, kafka: Kafka): DynamicModule {
    return {
      module: AppModule,
      imports: [
        loggingModule({ service: BILLING_SERVICE, level: env.LOG_LEVEL }),
        databaseModule(env, BILLING_DATABASE),
        HealthModule.register({ service: BILLING_SERVICE, kafka, database: true, readinessPattern: READINESS_PATTERNS.billing }),
      ],
    };
  }
}
