import type { IncomingMessage, ServerResponse } from 'node:http';
import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { CallContext } from '@bvs/platform';
import type { AuthenticatedRequest } from '../auth/jwt-auth.guard';

/**
 * What a backend call carries for this HTTP request: the caller's access token (each service
 * verifies it again and takes the user from it), the request id, which the services log and
 * put on the events they cause, and a signal that aborts if the client hangs up first
 * (`clientGoneSignal`).
 */
export const ServiceCall = createParamDecorator((_: unknown, context: ExecutionContext): CallContext => {
  const request = context.switchToHttp().getRequest<AuthenticatedRequest & { id?: unknown }>();
  return {
    ...(request.accessToken ? { accessToken: request.accessToken } : {}),
    ...(typeof request.id === 'string' ? { requestId: request.id } : {}),
    abandoned: clientGoneSignal(request, context.switchToHttp().getResponse<ServerResponse>()),
  };
});

/**
 * Aborts once the HTTP client has closed its connection before its answer was written: under
 * overload a request can wait in the socket's backlog until its client's own timeout has passed,
 * and the backend calls made for it would be work nobody reads (a payment written for a client
 * that already gave up and will send it again).
 */
export function clientGoneSignal(request: IncomingMessage, response: ServerResponse): AbortSignal {
  const controller = new AbortController();
  if (request.socket.destroyed) {
    controller.abort();
    return controller.signal;
  }
  response.once('close', () => {
    if (!response.writableFinished) controller.abort();
  });
  return controller.signal;
}
