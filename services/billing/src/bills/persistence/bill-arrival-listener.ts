import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Pool, PoolClient } from 'pg';
import { DataSource } from 'typeorm';
import { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { Wakeup } from '@bvs/platform';
import { BILLS_DUE_CHANNEL } from './bill-repository';

/** First pause before listening again after the connection dropped; it doubles up to the maximum. */
const RECONNECT_BASE_MS = 500;
const RECONNECT_MAX_MS = 30_000;

/** Jittered (half fixed, half random), so replicas that lost the database together do not come back in lockstep. */
function reconnectDelayMs(failures: number): number {
  const ceilingMs = Math.min(RECONNECT_MAX_MS, RECONNECT_BASE_MS * 2 ** Math.min(failures - 1, 16));
  return Math.round(ceilingMs / 2 + Math.random() * (ceilingMs / 2));
}

/**
 * LISTENs for the NOTIFY a new bill's transaction sends on commit, on a connection of its own taken
 * from the DataSource's pool for as long as it listens (one of DATABASE_POOL_SIZE, for good). A
 * dropped connection is taken again with backoff; meanwhile the worker's poll still finds every
 * bill, only later. Notifications sent while nobody listened are lost, so each time listening
 * starts the worker is told once to look anyway.
 */
@Injectable()
export class BillArrivalListener {
  private readonly logger = new Logger(BillArrivalListener.name);
  private readonly reconnectPause = new Wakeup();
  private loop: Promise<void> | undefined;
  private hangUp: (() => void) | undefined;
  private stopping = false;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** `onArrival` runs for every notification, and once whenever listening (re)starts. */
  start(onArrival: () => void): void {
    this.loop ??= this.run(onArrival);
  }

  /** Closes the listening connection; must finish before the DataSource is destroyed, whose pool waits for it. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.hangUp?.();
    this.reconnectPause.wake();
    await this.loop;
    this.loop = undefined;
  }

  private async run(onArrival: () => void): Promise<void> {
    let failures = 0;
    while (!this.stopping) {
      let cause: unknown;
      try {
        cause = await this.listenUntilDropped(() => {
          failures = 0;
          onArrival();
        }, onArrival);
      } catch (error) {
        cause = error;
      }
      if (this.stopping) return;
      failures += 1;
      const retryInMs = reconnectDelayMs(failures);
      this.logger.warn({ err: cause, failures, retryInMs }, 'Not listening for new bills; the poll finds them meanwhile');
      await this.reconnectPause.wait(retryInMs);
    }
  }

  /** Listens until the connection fails (resolves with why) or stop() hangs up (resolves with undefined). */
  private async listenUntilDropped(onListening: () => void, onArrival: () => void): Promise<unknown> {
    const client: PoolClient = await this.pool().connect();
    const ended = new Promise<unknown>((resolve) => {
      // A checked-out pg client has no error listener; without one a dropped connection would crash
      // the process. It stays attached after the release too, for an error the closing raises.
      client.on('error', resolve);
      client.on('end', () => resolve(new Error('the listening connection closed')));
      this.hangUp = () => resolve(undefined);
    });
    try {
      client.on('notification', onArrival);
      await client.query(`LISTEN ${BILLS_DUE_CHANNEL}`);
      if (this.stopping) return undefined;
      onListening();
      return await ended;
    } finally {
      this.hangUp = undefined;
      // Destroyed, not returned to the pool: it still holds the LISTEN.
      client.release(true);
    }
  }

  private pool(): Pool {
    const driver = this.dataSource.driver;
    if (!(driver instanceof PostgresDriver)) throw new Error('BillArrivalListener needs a PostgreSQL DataSource');
    return driver.master as Pool;
  }
}
