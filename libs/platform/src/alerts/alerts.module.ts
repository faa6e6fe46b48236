import { BeforeApplicationShutdown, DynamicModule, Global, Module, OnApplicationBootstrap } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { Alerts, type AlertWebhookSettings } from './alerts';

/** Sends recorded alerts from the application's start to its shutdown. */
class AlertsLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(private readonly alerts: Alerts) {}

  onApplicationBootstrap(): void {
    this.alerts.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.alerts.stop();
  }
}

/** Provides `Alerts` to the whole service (it needs the service's database, with the anomalies table). */
@Global()
@Module({})
export class AlertsModule {
  static register(options: { readonly service: string; readonly webhook: AlertWebhookSettings }): DynamicModule {
    return {
      module: AlertsModule,
      providers: [
        { provide: Alerts, useFactory: (dataSource: DataSource) => new Alerts(dataSource, options.service, options.webhook), inject: [getDataSourceToken()] },
        { provide: AlertsLifecycle, useFactory: (alerts: Alerts) => new AlertsLifecycle(alerts), inject: [Alerts] },
      ],
      exports: [Alerts],
    };
  }
}
