import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { RateLimiter } from '@bvs/platform';
import type { Request } from 'express';
import { GatewayEnv } from '../config/gateway-env';
import { isUserPolicy, RATE_LIMIT_POLICY, RateLimitPolicy } from './rate-limit.decorator';
import { redisUnavailable, tooManyRequests } from './limit-problems';

/**
 * Applies the route's address rate-limit policy with counters in Redis, so the limit holds across
 * every gateway replica: the client address (X-Forwarded-For only through TRUSTED_PROXY_HOPS).
 * User policies are counted by the JWT guard, with its session check. When Redis cannot answer the
 * request is refused with 503: an unlimited API is what an attacker would wait for.
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly limiter: RateLimiter,
    private readonly env: GatewayEnv,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const policy = this.reflector.getAllAndOverride<RateLimitPolicy | undefined>(RATE_LIMIT_POLICY, [context.getHandler(), context.getClass()]);
    if (!policy || isUserPolicy(policy)) return true;
    const request = context.switchToHttp().getRequest<Request>();
    let decision;
    try {
      decision = await this.limiter.hit(`${policy}:address:${request.ip ?? 'unknown'}`, this.env.AUTH_RATE_LIMIT, this.env.AUTH_RATE_WINDOW_SECONDS * 1_000);
    } catch (error) {
      throw redisUnavailable(error);
    }
    if (!decision.allowed) throw tooManyRequests(decision.retryAfterMs, 'from this address');
    return true;
  }
}
