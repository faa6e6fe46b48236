import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InFlightLimit, MetricsRegistry, ServiceError } from '@bvs/platform';
import * as bcrypt from 'bcrypt';
import { Counter } from 'prom-client';
import { AuthEnv } from '../config/auth-env';

/**
 * Every bcrypt operation of auth, at BCRYPT_COST, counted by kind. bcrypt is auth's main CPU cost,
 * and the count is also how the tests prove that a taken address and an unknown one cost the same
 * work as any other (one hash per registration, one comparison per login) without timing anything.
 *
 * At most MAX_PASSWORD_CHECKS_IN_FLIGHT run or wait at once: bcrypt runs on libuv's few threads, so
 * a login storm would otherwise queue without end and every answer would come after its caller gave
 * up. Past the bound a request is refused with 503 before any work, whatever the account.
 */
@Injectable()
export class PasswordHashing {
  /**
   * Compared against when the e-mail address is unknown, so that a wrong address costs the same
   * bcrypt work as a wrong password and the answer time does not reveal which accounts exist.
   */
  private readonly decoyHash: Promise<string>;
  private readonly operations: Counter<'operation'>;
  private readonly checks: InFlightLimit;

  constructor(
    private readonly env: AuthEnv,
    metrics: MetricsRegistry,
  ) {
    this.decoyHash = bcrypt.hash(randomUUID(), env.BCRYPT_COST);
    this.checks = new InFlightLimit(env.MAX_PASSWORD_CHECKS_IN_FLIGHT);
    this.operations = new Counter({
      name: 'bvs_auth_password_hashing_operations_total',
      help: 'bcrypt operations at BCRYPT_COST by kind: hash (each registration) and verify (each login)',
      labelNames: ['operation'],
      registers: [metrics],
    });
  }

  hash(password: string): Promise<string> {
    return this.bounded('hash', () => bcrypt.hash(password, this.env.BCRYPT_COST));
  }

  /** Whether `password` matches `storedHash`; with no stored hash (no such account) it does the same work against the decoy and is false. */
  async verify(password: string, storedHash: string | undefined): Promise<boolean> {
    const matches = await this.bounded('verify', async () => bcrypt.compare(password, storedHash ?? (await this.decoyHash)));
    return matches && storedHash !== undefined;
  }

  private async bounded<T>(operation: 'hash' | 'verify', work: () => Promise<T>): Promise<T> {
    if (!this.checks.tryAcquire()) {
      throw new ServiceError('SERVICE.UNAVAILABLE', 503, 'Auth has more password checks waiting than it can run in time; try again shortly.');
    }
    this.operations.inc({ operation });
    try {
      return await work();
    } finally {
      this.checks.release();
    }
  }
}
