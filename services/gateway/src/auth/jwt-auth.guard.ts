import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AccessTokenVerifier, AuthenticatedUser, bearerTokenOf, PUBLIC_ROUTE, SessionRevocations } from '@bvs/platform';
import type { Request } from 'express';
import { ProblemError } from '../http/problem-error';
import { redisUnavailable } from '../limits/limit-problems';

/** The token is kept with the user so backend calls can forward it: the services verify it themselves. */
export type AuthenticatedRequest = Request & { user?: AuthenticatedUser; accessToken?: string };

/**
 * Every route needs a valid access token unless it is marked @PublicRoute(), and the token's
 * session must not have ended: logout and a reused refresh token revoke it at once (auth records
 * it in Redis), not at the token's expiry.
 */
@Injectable()
export class JwtAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly verifier: AccessTokenVerifier,
    private readonly revocations: SessionRevocations,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const isPublic = this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, [context.getHandler(), context.getClass()]);
    if (isPublic) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const token = bearerTokenOf(request.headers.authorization);
    const user = token ? await this.verifier.verify(token) : undefined;
    if (!user || (await this.sessionEnded(user))) {
      throw new ProblemError(401, 'AUTH.UNAUTHENTICATED', 'Unauthenticated', 'A valid access token is required (Authorization: Bearer <token>).', {
        'WWW-Authenticate': 'Bearer',
      });
    }
    request.user = user;
    request.accessToken = token;
    return true;
  }

  private async sessionEnded(user: AuthenticatedUser): Promise<boolean> {
    try {
      return await this.revocations.isRevoked(user.sessionId);
    } catch (error) {
      throw redisUnavailable(error);
    }
  }
}
