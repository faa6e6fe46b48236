import { BeforeApplicationShutdown, DynamicModule, Module, OnApplicationBootstrap } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { Kafka } from 'kafkajs';
import { Counter } from 'prom-client';
import type { DataSource } from 'typeorm';
import { MetricsRegistry } from '../metrics';
import { EventSchemaRegistry } from '../schema-registry';
import { MessagingRetention, type PrunedRows, type RetentionSettings } from './messaging-retention';
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
  /** How long published outbox rows and inbox rows are kept (retentionSettingsOf(env)). */
  readonly retention: RetentionSettings;
}

/**
 * Runs the outbox relay for the service's lifetime. Provides (and exports) the `OutboxRelay` and
 * the `EventSchemaRegistry`, so the service's event consumers share the registry instance.
 */
@Module({})
export class OutboxModule {
  static register(options: OutboxModuleOptions): DynamicModule {
    const { registry, dataSourceName, registerSchemas, retention, ...relayOptions } = options;
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
          provide: MessagingRetention,
          useFactory: (dataSource: DataSource, metrics: MetricsRegistry | undefined) => new MessagingRetention(dataSource, retention, prunedRowsCounter(metrics)),
          inject: [getDataSourceToken(dataSourceName), { token: MetricsRegistry, optional: true }],
        },
        {
          provide: OutboxRelayLifecycle,
          useFactory: (relay: OutboxRelay, schemaRegistry: EventSchemaRegistry, pruning: MessagingRetention) =>
            new OutboxRelayLifecycle(relay, registerSchemas === false ? undefined : schemaRegistry, pruning),
          inject: [OutboxRelay, EventSchemaRegistry, MessagingRetention],
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
    private readonly retention: MessagingRetention,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.registry?.resolveAll();
    await this.relay.start();
    this.retention.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.retention.stop();
    await this.relay.stop();
  }
}

/** Rows pruned, by table, for the service's metrics (when it keeps any). */
function prunedRowsCounter(metrics: MetricsRegistry | undefined): (rows: PrunedRows) => void {
  if (!metrics) return () => undefined;
  const pruned = new Counter({ name: 'bvs_messaging_pruned_rows_total', help: 'Outbox and inbox rows deleted past their retention', labelNames: ['table'], registers: [metrics] });
  return (rows) => {
    pruned.inc({ table: 'outbox' }, rows.outbox);
    pruned.inc({ table: 'inbox' }, rows.inbox);
  };
}
