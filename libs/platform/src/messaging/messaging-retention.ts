import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { PeriodicTask } from '../scheduling';
import type { MessagingLogger } from './messaging-logger';

/**
 * How long the event topics keep an event (retention.ms of the KafkaTopics in
 * deploy/k8s/base/kafka/topics.yaml: 7 days). A consumer can be handed an event again for as long
 * as the topic holds it (a group reset, a replay), so its inbox row must outlive it.
 */
export const EVENT_TOPIC_RETENTION_HOURS = 7 * 24;

/** What the retention job may delete, and how much per round. */
export interface RetentionSettings {
  /** Published outbox rows older than this are deleted; unpublished rows never are. */
  readonly outboxRetentionHours: number;
  /** Inbox rows older than this are deleted; at least a day longer than the topics keep an event. */
  readonly inboxRetentionHours: number;
  readonly intervalMs: number;
  /** Rows per DELETE, so no statement holds locks on a large range for long. */
  readonly batchSize: number;
  /** DELETEs per table per round: a backlog is worked off over several rounds rather than in one long burst. */
  readonly maxBatchesPerRound: number;
}

export interface PrunedRows {
  readonly outbox: number;
  readonly inbox: number;
}

/**
 * Keeps the outbox and the inbox from growing for ever. Every `intervalMs` it deletes published
 * outbox rows past their retention and inbox rows past theirs, `batchSize` rows a statement and at
 * most `maxBatchesPerRound` statements a table. Rows another replica is deleting are skipped
 * (SKIP LOCKED), so replicas never wait on each other. An inbox kept shorter than the topics keep
 * events could let a redelivered event be applied twice, so the settings refuse that.
 */
export class MessagingRetention {
  private readonly logger: MessagingLogger = new Logger(MessagingRetention.name);
  private readonly pruning: PeriodicTask;

  constructor(
    private readonly dataSource: DataSource,
    private readonly settings: RetentionSettings,
    private readonly onPruned: (rows: PrunedRows) => void = () => undefined,
  ) {
    if (settings.inboxRetentionHours < EVENT_TOPIC_RETENTION_HOURS + 24) {
      throw new RangeError(`inbox retention ${settings.inboxRetentionHours} h must exceed the topics' ${EVENT_TOPIC_RETENTION_HOURS} h by a day, or a redelivered event could be applied twice`);
    }
    this.pruning = new PeriodicTask(settings.intervalMs, () => this.pruneOnce(), this.logger, 'A retention round failed; the next one tries again');
  }

  start(): void {
    this.pruning.start();
  }

  stop(): Promise<void> {
    return this.pruning.stop();
  }

  /** One round, as the timer runs it; `now` is handed in by tests. */
  async pruneOnce(now: Date = new Date()): Promise<PrunedRows> {
    const hoursAgo = (hours: number) => new Date(now.getTime() - hours * 3_600_000);
    const outbox = await this.pruneInBatches(
      `DELETE FROM outbox WHERE id IN (
         SELECT id FROM outbox WHERE published_at IS NOT NULL AND published_at < $1 ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED)`,
      hoursAgo(this.settings.outboxRetentionHours),
    );
    const inbox = await this.pruneInBatches(
      `DELETE FROM inbox WHERE (consumer, event_id) IN (
         SELECT consumer, event_id FROM inbox WHERE received_at < $1 ORDER BY received_at LIMIT $2 FOR UPDATE SKIP LOCKED)`,
      hoursAgo(this.settings.inboxRetentionHours),
    );
    const pruned = { outbox, inbox };
    if (outbox + inbox > 0) this.logger.log(pruned, 'Pruned outbox and inbox rows past their retention');
    this.onPruned(pruned);
    return pruned;
  }

  private async pruneInBatches(sql: string, olderThan: Date): Promise<number> {
    let deleted = 0;
    // A stop ends the round between two DELETEs.
    for (let batch = 0; batch < this.settings.maxBatchesPerRound && !this.pruning.stopping; batch += 1) {
      // TypeORM answers a DELETE with [rows, affected count].
      const [, affected] = (await this.dataSource.query(sql, [olderThan, this.settings.batchSize])) as [unknown, number];
      deleted += affected;
      if (affected < this.settings.batchSize) break;
    }
    return deleted;
  }
}
