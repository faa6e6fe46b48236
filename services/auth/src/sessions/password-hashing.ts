import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { MetricsRegistry } from '@bvs/platform';
import * as bcrypt from 'bcrypt';
import { Counter } from 'prom-client';
import { AuthEnv } from '../config/auth-env';

/**
 * Every bcrypt operation of auth, at BCRYPT_COST, counted by kind. bcrypt is auth's main CPU cost,
 * and the count is also how the tests prove that a taken address and an unknown one cost the same
 * work as any other (one hash per registration, one comparison per login) without timing anything.
 */
@Injectable()
export class PasswordHashing {
  /**
   * Compared against when the e-mail address is unknown, so that a wrong address costs the same
   * bcrypt work as a wrong password and the answer time does not reveal which accounts exist.
   */
  private readonly decoyHash: Promise<string>;
  private readonly operations: Counter<'operation'>;

  constructor(
    private readonly env: AuthEnv,
    metrics: MetricsRegistry,
  ) {
    this.decoyHash = bcrypt.hash(randomUUID(), env.BCRYPT_COST);
    this.operations = new Counter({
      name: 'bvs_auth_password_hashing_operations_total',
      help: 'bcrypt operations at BCRYPT_COST by kind: hash (each registration) and verify (each login)',
      labelNames: ['operation'],
      registers: [metrics],
    });
  }

  hash(password: string): Promise<string> {
    this.operations.inc({ operation: 'hash' });
    return bcrypt.hash(password, this.env.BCRYPT_COST);
  }

  /** Whether `password` matches `storedHash`; with no stored hash (no such account) it does the same work against the decoy and is false. */
  async verify(password: string, storedHash: string | undefined): Promise<boolean> {
    this.operations.inc({ operation: 'verify' });
    const matches = await bcrypt.compare(password, storedHash ?? (await this.decoyHash));
    return matches && storedHash !== undefined;
  }
}
