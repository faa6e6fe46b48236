import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { AuthenticatedUser } from '@bvs/platform';
import type { AuthenticatedRequest } from './jwt-auth.guard';

/** The user the guard authenticated; only on routes the guard protects. */
export const CurrentUser = createParamDecorator((_: unknown, context: ExecutionContext): AuthenticatedUser => {
  const user = context.switchToHttp().getRequest<AuthenticatedRequest>().user;
  if (!user) throw new Error('CurrentUser used on a route the JwtAuthGuard does not protect');
  return user;
});
