import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { CallContext } from '@bvs/platform';
import type { AuthenticatedRequest } from '../auth/jwt-auth.guard';

/**
 * What a backend call carries for this HTTP request: the caller's access token (each service
 * verifies it again and takes the user from it) and the request id, which the services log and
 * put on the events they cause.
 */
export const ServiceCall = createParamDecorator((_: unknown, context: ExecutionContext): CallContext => {
  const request = context.switchToHttp().getRequest<AuthenticatedRequest & { id?: unknown }>();
  return {
    ...(request.accessToken ? { accessToken: request.accessToken } : {}),
    ...(typeof request.id === 'string' ? { requestId: request.id } : {}),
  };
});
