import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { RateLimiter } from '@bvs/platform';
import { GatewayEnv } from '../config/gateway-env';
import { redisUnavailable, tooManyRequests } from './limit-problems';

/**
 * Failed logins per account, on top of the per-address limit: guessing one account's password
 * from many addresses stops after FAILED_LOGIN_LIMIT wrong passwords per window, for everyone,
 * the right password included, until the window ends. The key holds a hash of the normalised
 * e-mail (as auth compares it), never the address itself.
 */
@Injectable()
export class FailedLogins {
  constructor(
    private readonly limiter: RateLimiter,
    private readonly env: GatewayEnv,
  ) {}

  async refuseIfLocked(email: string): Promise<void> {
    const key = accountKey(email);
    try {
      if ((await this.limiter.peek(key)) < this.env.FAILED_LOGIN_LIMIT) return;
      throw tooManyRequests(await this.limiter.remainingMs(key), 'for this account');
    } catch (error) {
      throw redisUnavailable(error);
    }
  }

  async record(email: string): Promise<void> {
    try {
      await this.limiter.count(accountKey(email), this.env.FAILED_LOGIN_WINDOW_SECONDS * 1_000);
    } catch (error) {
      throw redisUnavailable(error);
    }
  }
}

function accountKey(email: string): string {
  const normalised = email.normalize('NFKC').trim().toLowerCase();
  return `failed-login:account:${createHash('sha256').update(normalised).digest('hex')}`;
}
