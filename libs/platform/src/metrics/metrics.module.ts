import { DynamicModule, Global, Injectable, MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { NextFunction, Request, Response } from 'express';
import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import { RefreshingReading } from './refreshing-reading';

/** A gauge read from the service's own database at scrape time: the query returns `value` plus one column per label. */
export interface DatabaseGauge {
  readonly name: string;
  readonly help: string;
  readonly labelNames?: readonly string[];
  readonly query: string;
}

export interface MetricsModuleOptions {
  readonly service: string;
  /** Needs the service's TypeORM connection; omit for services without a database. */
  readonly databaseGauges?: readonly DatabaseGauge[];
}

/** Events recorded in the outbox and not yet published: a growing backlog means the relay is stuck. */
export const OUTBOX_BACKLOG_GAUGE: DatabaseGauge = {
  name: 'bvs_outbox_backlog',
  help: 'Outbox rows not yet published to Kafka',
  query: 'SELECT COUNT(*)::float8 AS value FROM outbox WHERE published_at IS NULL',
};

/**
 * How long the oldest unpublished outbox row has waited, in seconds (0 when none waits): a relay
 * that is stuck or far behind shows here before anyone misses an event. One row read through the
 * relay's partial index of unpublished rows, whatever the outbox's size.
 */
export const OUTBOX_OLDEST_UNPUBLISHED_AGE_GAUGE: DatabaseGauge = {
  name: 'bvs_outbox_oldest_unpublished_age_seconds',
  help: 'Age of the oldest outbox row not yet published to Kafka, seconds',
  query: `SELECT COALESCE((SELECT EXTRACT(EPOCH FROM now() - created_at) FROM outbox WHERE published_at IS NULL ORDER BY id LIMIT 1), 0)::float8 AS value`,
};

/** The process's Prometheus registry; inject it to add the service's own metrics. */
export class MetricsRegistry extends Registry {}

/** Times every HTTP request by its route pattern (never the raw URL: ids would explode the label set). */
@Injectable()
class HttpMetricsMiddleware {
  private readonly duration: Histogram;

  constructor(registry: MetricsRegistry) {
    this.duration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP requests by method, route pattern and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    });
  }

  use(request: Request, response: Response, next: NextFunction): void {
    const stop = this.duration.startTimer();
    response.on('finish', () => {
      const route = typeof request.route?.path === 'string' ? `${request.baseUrl}${request.route.path}` : 'unmatched';
      stop({ method: request.method, route, status: String(response.statusCode) });
    });
    next();
  }
}

/**
 * The service's Prometheus metrics: process metrics, HTTP latency by route, and gauges the service
 * reads from its own tables (outbox backlog, payments by status), at most once per
 * DATABASE_GAUGE_MAX_AGE_MS whatever the scrape rate. The module only collects: startService
 * serves the registry on the management listener (METRICS_PORT, MetricsServer), never on the
 * port that serves the API.
 */
@Global()
@Module({})
export class MetricsModule implements NestModule {
  static register(options: MetricsModuleOptions): DynamicModule {
    const gauges = options.databaseGauges ?? [];
    return {
      module: MetricsModule,
      providers: [
        {
          provide: MetricsRegistry,
          useFactory: (dataSource?: DataSource) => {
            const registry = new MetricsRegistry();
            registry.setDefaultLabels({ service: options.service });
            collectDefaultMetrics({ register: registry });
            for (const gauge of gauges) registerDatabaseGauge(registry, gauge, dataSource);
            return registry;
          },
          inject: gauges.length > 0 ? [getDataSourceToken()] : [],
        },
        HttpMetricsMiddleware,
      ],
      exports: [MetricsRegistry],
    };
  }

  constructor(private readonly middleware: HttpMetricsMiddleware) {}

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply((request: Request, response: Response, next: NextFunction) => this.middleware.use(request, response, next)).forRoutes({ path: '{*path}', method: RequestMethod.ALL });
  }
}

/**
 * The longest a database gauge's value is served before its query runs again. Every replica is
 * scraped by every Prometheus, often more than once a minute; each scrape running COUNTs over the
 * ledger would make monitoring a load of its own. At most one query per gauge per this long, and
 * one in flight, however many scrapes arrive.
 */
export const DATABASE_GAUGE_MAX_AGE_MS = 15_000;

function registerDatabaseGauge(registry: MetricsRegistry, definition: DatabaseGauge, dataSource: DataSource | undefined): void {
  if (!dataSource) throw new Error(`metric ${definition.name} needs the service's database`);
  const labelNames = [...(definition.labelNames ?? [])];
  const reading = new RefreshingReading(() => dataSource.query(definition.query) as Promise<Record<string, unknown>[]>, DATABASE_GAUGE_MAX_AGE_MS);
  new Gauge({
    name: definition.name,
    help: definition.help,
    labelNames,
    registers: [registry],
    async collect() {
      // Until a read has succeeded the gauge stays empty rather than failing the whole scrape.
      const rows = (await reading.get()) ?? [];
      this.reset();
      for (const row of rows) {
        const labels = Object.fromEntries(labelNames.map((label) => [label, String(row[label])]));
        this.set(labels, Number(row['value']));
      }
    },
  });
}
