import { BeforeApplicationShutdown, DynamicModule, Module, OnApplicationBootstrap } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { Kafka } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { EventSchemaRegistry } from '../schema-registry';
import { OutboxRelay, type OutboxRelayOptions } from './outbox-relay';

export interface OutboxModuleOptions extends Omit<OutboxRelayOptions, 'dataSource' | 'kafka' | 'registry' | 'service'> {
  readonly service: string;
  readonly kafka: Kafka;
  /** The process's registry, or a factory for it (called once, when the module is instantiated). */
  readonly registry: EventSchemaRegistry | (() => EventSchemaRegistry);
  /**
   * Register every contract schema before the relay starts (default true), so a schema the
   * registry refuses fails the start-up instead of the first publish.
   */
  readonly registerSchemas?: boolean;
  /** The TypeORM connection name, when the service has more than one. */
  readonly dataSourceName?: string;
}

/**
 * Runs the outbox relay for the service's lifetime. Provides (and exports) the `OutboxRelay` and
 * the `EventSchemaRegistry`, so the service's event consumers share the registry instance.
 */
@Module({})
export class OutboxModule {
  static register(options: OutboxModuleOptions): DynamicModule {
    const { registry, dataSourceName, registerSchemas, ...relayOptions } = options;
    return {
      module: OutboxModule,
      providers: [
        { provide: EventSchemaRegistry, useFactory: () => (registry instanceof EventSchemaRegistry ? registry : registry()) },
        {
          provide: OutboxRelay,
          useFactory: (dataSource: DataSource, schemaRegistry: EventSchemaRegistry) =>
            new OutboxRelay({ ...relayOptions, dataSource, registry: schemaRegistry }),
          inject: [getDataSourceToken(dataSourceName), EventSchemaRegistry],
        },
        {
          provide: OutboxRelayLifecycle,
          useFactory: (relay: OutboxRelay, schemaRegistry: EventSchemaRegistry) =>
            new OutboxRelayLifecycle(relay, registerSchemas === false ? undefined : schemaRegistry),
          inject: [OutboxRelay, EventSchemaRegistry],
        },
      ],
      exports: [OutboxRelay, EventSchemaRegistry],
    };
  }
}

/**
 * Starts the relay once the application is bootstrapped, and stops it before the shutdown hooks
 * run: TypeORM destroys the DataSource in its onApplicationShutdown, and the pool's end waits for
 * the relay's dedicated connection, so the relay must be gone first.
 */
class OutboxRelayLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(
    private readonly relay: OutboxRelay,
    private readonly registry: EventSchemaRegistry | undefined,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.registry?.resolveAll();
    await this.relay.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.relay.stop();
  }
}
