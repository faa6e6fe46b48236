import { DynamicModule, Module, Provider } from '@nestjs/common';
import { Kafka } from 'kafkajs';
import { DataSource } from 'typeorm';
import { DatabaseReadinessCheck } from './database-readiness.check';
import { HealthController } from './health.controller';
import { KafkaReadinessCheck } from './kafka-readiness.check';
import { GrpcHealthController, SERVED_GRPC_SERVICES } from '../grpc/grpc-health.controller';
import { READINESS_CHECKS, ReadinessCheck } from './readiness-check';
import { ReadinessService, SERVICE_NAME } from './readiness.service';

export interface HealthModuleOptions {
  readonly service: string;
  /** The service's Kafka client; absent for services outside the event flow (the provider simulator). */
  readonly kafka?: Kafka;
  /** True for services that own a database: readiness then pings it too. */
  readonly database: boolean;
  /**
   * The fully qualified gRPC services the process serves (e.g. `bvs.wallet.v1.WalletService`):
   * the standard gRPC health service then answers for them with the same readiness.
   */
  readonly grpcServices?: readonly string[];
  /** Further dependencies to report, e.g. the gateway's backends. */
  readonly checks?: readonly ReadinessCheck[];
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
      controllers: [HealthController, ...(options.grpcServices ? [GrpcHealthController] : [])],
      providers: [
        ...checks,
        { provide: SERVICE_NAME, useValue: options.service },
        { provide: SERVED_GRPC_SERVICES, useValue: options.grpcServices ?? [] },
        { provide: READINESS_CHECKS, useFactory: (...all: unknown[]) => [...all, ...(options.checks ?? [])], inject: inject as never[] },
        ReadinessService,
      ],
      exports: [ReadinessService],
    };
  }
}
