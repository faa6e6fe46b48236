import { DynamicModule, Module, Provider, Type } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { databaseModule, HealthModule, loggingModule } from '@bvs/platform';
import { AdminController } from './admin/admin.controller';
import { ADMIN_TOKEN, AdminTokenGuard } from './admin/admin-token.guard';
import type { Behaviour } from './behaviour/domain/behaviour';
import { DEFAULT_BEHAVIOUR, FaultInjector } from './behaviour/fault-injector';
import { LatencyInterceptor } from './behaviour/latency.interceptor';
import { ListProvidersController } from './catalogue/list-providers.controller';
import { ProviderSimEnv } from './config/provider-sim-env';
import { API_KEY, ApiKeyGuard } from './http/api-key.guard';
import { ErrorResponseFilter } from './http/error-response.filter';
import { requestValidationPipe } from './http/request-validation.pipe';
import { VerifyMeterController } from './meters/verify-meter/verify-meter.controller';
import { PROVIDER_SIM_DATABASE } from './persistence/provider-sim-database';
import { processorComponents } from './processor/processor-components';
import { processorConfig } from './processor/processor-config';
import { VendStore } from './vending/persistence/vend-store';
import { RequeryVendController } from './vending/requery/requery-vend.controller';
import { VendController } from './vending/vend/vend.controller';
import { VendService } from './vending/vend/vend.service';

export const PROVIDER_SIM_SERVICE = 'provider-sim';

/**
 * A stand-in for the external third parties: a vending API and, when PROCESSOR_SECRET_KEY is set,
 * a Paystack-shaped payment processor (under /processor). Plain HTTP, no Kafka, its own database.
 */
@Module({})
export class AppModule {
  static register(env: ProviderSimEnv, behaviour: Behaviour): DynamicModule {
    const controllers: Type[] = [ListProvidersController, VerifyMeterController, VendController, RequeryVendController];
    const providers: Provider[] = [
      { provide: DEFAULT_BEHAVIOUR, useValue: behaviour },
      { provide: APP_FILTER, useClass: ErrorResponseFilter },
      { provide: APP_PIPE, useFactory: requestValidationPipe },
      { provide: API_KEY, useValue: env.API_KEY },
      ApiKeyGuard,
      FaultInjector,
      LatencyInterceptor,
      VendStore,
      VendService,
    ];
    // Without a token the admin routes do not exist at all, rather than exist and refuse.
    if (env.ADMIN_TOKEN) {
      controllers.push(AdminController);
      providers.push({ provide: ADMIN_TOKEN, useValue: env.ADMIN_TOKEN }, AdminTokenGuard);
    }
    // Likewise the processor: without its secret key it could not sign a webhook, so it is absent.
    const processor = processorConfig(env);
    if (processor) {
      const components = processorComponents(processor, env.ADMIN_TOKEN !== undefined);
      controllers.push(...components.controllers);
      providers.push(...components.providers);
    }
    return {
      module: AppModule,
      imports: [
        loggingModule({ service: PROVIDER_SIM_SERVICE, level: env.LOG_LEVEL }),
        databaseModule(env, PROVIDER_SIM_DATABASE),
        HealthModule.register({ service: PROVIDER_SIM_SERVICE, database: true }),
      ],
      controllers,
      providers,
    };
  }
}
