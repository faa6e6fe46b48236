import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DataSource } from 'typeorm';
import { Alerts, CreateAnomalies1765200000000, type AlertWebhookSettings } from '../src';
import { TestDatabase } from '../src/testing';

interface Received {
  readonly body: unknown;
}

/** A stand-in alert receiver (Alertmanager's /api/v2/alerts) that answers each POST with the next status given. */
async function startReceiver(statuses: number[]): Promise<{ url: string; received: Received[]; server: Server }> {
  const received: Received[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown });
      response.writeHead(statuses.shift() ?? 200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v2/alerts`, received, server };
}

describe('Alerts: recorded with the change that found them, sent to the webhook with bounded attempts (real PostgreSQL)', () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  const servers: Server[] = [];

  beforeAll(async () => {
    database = await TestDatabase.create('alerts');
    dataSource = await new DataSource({ type: 'postgres', url: database.url, migrations: [CreateAnomalies1765200000000] }).initialize();
    await dataSource.runMigrations();
  });

  beforeEach(async () => {
    await dataSource.query('TRUNCATE anomalies');
  });

  afterAll(async () => {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
    await dataSource?.destroy();
    await database?.drop();
  });

  const alertsTo = (url: string, attempts = 5): Alerts => {
    const settings: AlertWebhookSettings = { url, attempts, timeoutMs: 2_000, intervalMs: 60_000 };
    return new Alerts(dataSource, 'wallet', settings);
  };
  const anomalies = async () =>
    (await dataSource.query('SELECT alert, notified_at IS NOT NULL AS notified, notify_attempts AS attempts, last_error FROM anomalies ORDER BY id')) as {
      alert: string;
      notified: boolean;
      attempts: number;
      last_error: string | null;
    }[];

  it('records an alert only if the transaction that raised it commits, and sends it again after the webhook failed, once it answers', async () => {
    const receiver = await startReceiver([500, 200]);
    servers.push(receiver.server);
    const alerts = alertsTo(receiver.url);
    await alerts.raise({ alert: 'PAYMENT_COMPLETED_AFTER_REVERSAL', summary: 'Completion arrived for a reversed payment', details: { paymentId: 'p-1' } });
    await dataSource
      .transaction(async (manager) => {
        await alerts.raise({ alert: 'DEAD_LETTER', summary: 'rolled back with its change', details: {} }, manager);
        throw new Error('the change fails');
      })
      .catch(() => undefined);

    expect(await alerts.notifyOnce()).toBe(0);
    expect(await anomalies()).toEqual([{ alert: 'PAYMENT_COMPLETED_AFTER_REVERSAL', notified: false, attempts: 1, last_error: 'the alert webhook answered 500' }]);
    expect(await alerts.notifyOnce()).toBe(1);
    expect(await alerts.notifyOnce()).toBe(0);

    expect(receiver.received).toHaveLength(2);
    expect(receiver.received[1]?.body).toEqual([
      {
        labels: { alertname: 'PAYMENT_COMPLETED_AFTER_REVERSAL', service: 'wallet', severity: 'critical' },
        annotations: { summary: 'Completion arrived for a reversed payment', description: JSON.stringify({ paymentId: 'p-1' }) },
        startsAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
      },
    ]);
    expect(await anomalies()).toEqual([{ alert: 'PAYMENT_COMPLETED_AFTER_REVERSAL', notified: true, attempts: 2, last_error: 'the alert webhook answered 500' }]);
  });

  it('stops sending an alert after its attempts, and keeps it recorded with the last error', async () => {
    const receiver = await startReceiver([503, 503, 503]);
    servers.push(receiver.server);
    const alerts = alertsTo(receiver.url, 2);
    await alerts.raise({ alert: 'DEAD_LETTER', summary: 'parked', details: { topic: 'billing.payment-failed.v1' } });

    for (let round = 0; round < 3; round += 1) await alerts.notifyOnce();

    expect(receiver.received).toHaveLength(2);
    expect(await anomalies()).toEqual([{ alert: 'DEAD_LETTER', notified: false, attempts: 2, last_error: 'the alert webhook answered 503' }]);
  });
});
