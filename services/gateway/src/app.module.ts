import { DynamicModule, Module } from '@nestjs/common';
import { HealthModule, loggingModule } from '@bvs/platform';
import { Kafka } from 'kafkajs';
import { GatewayEnv } from './config/gateway-env';
import { ServicesHealthController } from './health/services-health.controller';
import { ServiceClientModule } from './messaging/service-client.module';

export const GATEWAY_SERVICE = 'gateway';

@Module({})
export class AppModule {
  static register(env: GatewayEnv, kafka: Kafka): DynamicModule {
    return {
      module: AppModule,
      imports: [
        loggingModule({ service: GATEWAY_SERVICE, level: env.LOG_LEVEL }),
        HealthModule.register({ service: GATEWAY_SERVICE, kafka, database: false }),
        ServiceClientModule.register(env),
      ],
      controllers: [ServicesHealthController],
    };
  }
}
