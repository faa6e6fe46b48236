import { Logger } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import { PeriodicTask } from '../scheduling';

/** A critical failure a person must look at: its stable name (the log line's `alert`), one line, and the facts. */
export interface RaisedAlert {
  readonly alert: string;
  readonly summary: string;
  readonly details: Readonly<Record<string, string | number | boolean | null>>;
}

export interface AlertWebhookSettings {
  /** Where alerts are POSTed (Alertmanager's /api/v2/alerts, or anything that takes its JSON); unset, they are only recorded and logged. */
  readonly url: string | undefined;
  /** Sends of one alert before it is left recorded but unsent (its last error kept). */
  readonly attempts: number;
  readonly timeoutMs: number;
  readonly intervalMs: number;
}

/** Alerts sent per webhook call. */
const ALERTS_PER_CALL = 50;

interface AnomalyRow {
  id: string;
  alert: string;
  summary: string;
  details: Record<string, unknown>;
  occurred_at: Date;
}

/**
 * Raises the system's critical alerts: each is written to the `anomalies` table (in the
 * transaction that found it, when one is given, so an alert is never lost and never raised for a
 * change that rolled back), logged as an error line with its `alert` field, and sent to the alert
 * webhook by a background loop with a bounded number of attempts per alert.
 */
export class Alerts {
  private readonly logger = new Logger(Alerts.name);
  private readonly sending: PeriodicTask;

  constructor(
    private readonly dataSource: DataSource,
    private readonly service: string,
    private readonly webhook: AlertWebhookSettings,
  ) {
    this.sending = new PeriodicTask(webhook.intervalMs, () => this.notifyOnce(), this.logger, 'An alert notification round failed');
  }

  async raise(raised: RaisedAlert, manager: EntityManager = this.dataSource.manager): Promise<void> {
    await manager.query('INSERT INTO anomalies (alert, summary, details) VALUES ($1, $2, $3::jsonb)', [raised.alert, raised.summary, JSON.stringify(raised.details)]);
    this.logger.error({ alert: raised.alert, ...raised.details }, raised.summary);
  }

  start(): void {
    if (this.webhook.url) this.sending.start();
  }

  stop(): Promise<void> {
    return this.sending.stop();
  }

  /** Sends what is recorded and not yet sent, ALERTS_PER_CALL at a time; resolves with how many the webhook took. */
  async notifyOnce(): Promise<number> {
    const url = this.webhook.url;
    if (!url) return 0;
    const rows: AnomalyRow[] = await this.dataSource.query(
      `SELECT id, alert, summary, details, occurred_at FROM anomalies WHERE notified_at IS NULL AND notify_attempts < $1 ORDER BY id LIMIT $2`,
      [this.webhook.attempts, ALERTS_PER_CALL],
    );
    if (rows.length === 0) return 0;
    const ids = rows.map((row) => row.id);
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(rows.map((row) => this.asAlertmanagerAlert(row))),
        signal: AbortSignal.timeout(this.webhook.timeoutMs),
        redirect: 'manual',
      });
      await response.body?.cancel().catch(() => undefined);
      if (!response.ok) throw new Error(`the alert webhook answered ${response.status}`);
      await this.dataSource.query('UPDATE anomalies SET notified_at = now(), notify_attempts = notify_attempts + 1 WHERE id = ANY($1::bigint[])', [ids]);
      return rows.length;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      await this.dataSource.query('UPDATE anomalies SET notify_attempts = notify_attempts + 1, last_error = $2 WHERE id = ANY($1::bigint[])', [ids, reason.slice(0, 500)]);
      this.logger.warn({ err: error, alerts: rows.length }, 'Alerts could not be sent to the webhook; they stay recorded and are sent again');
      return 0;
    }
  }

  /** Alertmanager's v2 alert: labels that route it, annotations a person reads. */
  private asAlertmanagerAlert(row: AnomalyRow) {
    return {
      labels: { alertname: row.alert, service: this.service, severity: 'critical' },
      annotations: { summary: row.summary, description: JSON.stringify(row.details) },
      startsAt: row.occurred_at.toISOString(),
    };
  }
}

/** The alert for a message a consumer group parked on its dead-letter topic (the seed's first critical failure). */
export function deadLetterAlert(parked: { readonly groupId: string; readonly topic: string; readonly partition: number; readonly offset: string; readonly eventId: string | undefined; readonly reason: string }): RaisedAlert {
  return {
    alert: 'DEAD_LETTER',
    summary: `A message of ${parked.topic} was parked on its dead-letter topic by ${parked.groupId}: ${parked.reason}`,
    details: { groupId: parked.groupId, topic: parked.topic, partition: parked.partition, offset: parked.offset, eventId: parked.eventId ?? null },
  };
}
