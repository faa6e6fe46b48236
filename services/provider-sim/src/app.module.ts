import { DynamicModule, Module } from '@nestjs/common';
import { databaseModule, HealthModule, loggingModule } from '@bvs/platform';
import { ProviderSimEnv } from './config/provider-sim-env';
import { PROVIDER_SIM_DATABASE } from './persistence/provider-sim-database';

export const PROVIDER_SIM_SERVICE = 'provider-sim';

/** A stand-in for an external vending API: plain HTTP, no Kafka, its own database. */
@Module({})
export class AppModule {
  static register(env: ProviderSimEnv): DynamicModule {
    return {
      module: AppModule,
      imports: [
        loggingModule({ service: PROVIDER_SIM_SERVICE, level: env.LOG_LEVEL }),
        databaseModule(env, PROVIDER_SIM_DATABASE),
        HealthModule.register({ service: PROVIDER_SIM_SERVICE, database: true }),
      ],
    };
  }
}
