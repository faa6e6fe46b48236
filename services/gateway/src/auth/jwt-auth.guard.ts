import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AccessTokenVerifier, AuthenticatedUser, bearerTokenOf, PUBLIC_ROUTE, RateLimiter, SessionRevocations, VETOED } from '@bvs/platform';
import type { Request } from 'express';
import { GatewayEnv } from '../config/gateway-env';
import { ProblemError } from '../http/problem-error';
import { redisUnavailable, tooManyRequests } from '../limits/limit-problems';
import { isUserPolicy, RATE_LIMIT_POLICY, type RateLimitPolicy } from '../limits/rate-limit.decorator';

/** The token is kept with the user so backend calls can forward it: the services verify it themselves. */
export type AuthenticatedRequest = Request & { user?: AuthenticatedUser; accessToken?: string };

/**
 * Every route needs a valid access token unless it is marked @PublicRoute(), and the token's
 * session must not have ended: logout and a reused refresh token revoke it at once (auth records
 * it in Redis), not at the token's expiry.
 *
 * On a route with a user rate-limit policy this guard also counts the request against the user's
 * limit, in the same Redis round trip as the session check (`RateLimiter.hitUnlessExists`, the
 * revocation key as its veto): the calls that move money then wait for Redis once, not twice. A
 * request of an ended session is refused without being counted. Address policies are counted by
 * RateLimitGuard.
 */
@Injectable()
export class JwtAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly verifier: AccessTokenVerifier,
    private readonly revocations: SessionRevocations,
    private readonly limiter: RateLimiter,
    private readonly env: GatewayEnv,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const isPublic = this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, [context.getHandler(), context.getClass()]);
    if (isPublic) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const token = bearerTokenOf(request.headers.authorization);
    const user = token ? await this.verifier.verify(token) : undefined;
    if (!user) throw unauthenticated();
    const policy = this.reflector.getAllAndOverride<RateLimitPolicy | undefined>(RATE_LIMIT_POLICY, [context.getHandler(), context.getClass()]);
    try {
      if (policy && isUserPolicy(policy)) await this.admitUnderLimit(user, policy);
      else if (await this.revocations.isRevoked(user.sessionId)) throw unauthenticated();
    } catch (error) {
      throw redisUnavailable(error);
    }
    request.user = user;
    request.accessToken = token;
    return true;
  }

  private async admitUnderLimit(user: AuthenticatedUser, policy: RateLimitPolicy): Promise<void> {
    const decision = await this.limiter.hitUnlessExists(
      `${policy}:user:${user.userId}`,
      this.env.USER_RATE_LIMIT,
      this.env.USER_RATE_WINDOW_SECONDS * 1_000,
      this.revocations.keyOf(user.sessionId),
    );
    if (decision === VETOED) throw unauthenticated();
    if (!decision.allowed) throw tooManyRequests(decision.retryAfterMs, 'for this user');
  }
}

function unauthenticated(): ProblemError {
  return new ProblemError(401, 'AUTH.UNAUTHENTICATED', 'Unauthenticated', 'A valid access token is required (Authorization: Bearer <token>).', {
    'WWW-Authenticate': 'Bearer',
  });
}
