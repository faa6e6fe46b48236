import { DynamicModule, Module, Provider } from '@nestjs/common';
import { Kafka } from 'kafkajs';
import { DataSource } from 'typeorm';
import { DatabaseReadinessCheck } from './database-readiness.check';
import { HealthController } from './health.controller';
import { KafkaReadinessCheck } from './kafka-readiness.check';
import { readinessHandlerFor } from './readiness-handler';
import { READINESS_CHECKS } from './readiness-check';
import { ReadinessService, SERVICE_NAME } from './readiness.service';

export interface HealthModuleOptions {
  readonly service: string;
  /** The service's Kafka client; absent for services outside the event flow (the provider simulator). */
  readonly kafka?: Kafka;
  /** True for services that own a database: readiness then pings it too. */
  readonly database: boolean;
  /** The request-reply pattern on which the gateway asks this service for its readiness. */
  readonly readinessPattern?: string;
}

@Module({})
export class HealthModule {
  static register(options: HealthModuleOptions): DynamicModule {
    const checks: Provider[] = [];
    const inject: unknown[] = [];
    const kafka = options.kafka;
    if (kafka) {
      checks.push({ provide: KafkaReadinessCheck, useFactory: () => new KafkaReadinessCheck(kafka) });
      inject.push(KafkaReadinessCheck);
    }
    if (options.database) {
      checks.push({ provide: DatabaseReadinessCheck, useFactory: (ds: DataSource) => new DatabaseReadinessCheck(ds), inject: [DataSource] });
      inject.push(DatabaseReadinessCheck);
    }
    return {
      module: HealthModule,
      controllers: [HealthController, ...(options.readinessPattern ? [readinessHandlerFor(options.readinessPattern)] : [])],
      providers: [
        ...checks,
        { provide: SERVICE_NAME, useValue: options.service },
        { provide: READINESS_CHECKS, useFactory: (...all: unknown[]) => all, inject: inject as never[] },
        ReadinessService,
      ],
      exports: [ReadinessService],
    };
  }
}
