import { CanActivate, createParamDecorator, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Metadata } from '@grpc/grpc-js';
import { AccessTokenVerifier, AuthenticatedUser, bearerTokenOf } from '../auth';
import { ServiceError } from '../errors';
import { PUBLIC_ROUTE } from '../http';

/** Identities verified for calls in flight, keyed by the call's metadata object. */
const callers = new WeakMap<object, AuthenticatedUser>();

export const UNAUTHENTICATED_CODE = 'AUTH.UNAUTHENTICATED';

/**
 * Every gRPC method needs a valid access token in its `authorization` metadata unless it is
 * marked @PublicRoute(): the service verifies it itself (it does not trust the gateway to have
 * done so), and the handler reads the caller only through @Caller(). HTTP routes (health,
 * metrics) are not this guard's business.
 */
@Injectable()
export class AccessTokenGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly verifier: AccessTokenVerifier,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'rpc') return true;
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, [context.getHandler(), context.getClass()])) return true;
    const metadata = context.switchToRpc().getContext<Metadata>();
    const token = bearerTokenOf(metadata.get('authorization')[0]);
    const caller = token ? await this.verifier.verify(token) : undefined;
    if (!caller) throw new ServiceError(UNAUTHENTICATED_CODE, 401, 'A valid access token is required.');
    callers.set(metadata, caller);
    return true;
  }
}

/** The verified caller of a gRPC method (the AccessTokenGuard has run). */
export const Caller = createParamDecorator((_data: unknown, context: ExecutionContext): AuthenticatedUser => {
  const caller = callers.get(context.switchToRpc().getContext<Metadata>());
  if (!caller) throw new Error('@Caller() on a method the AccessTokenGuard did not check');
  return caller;
});
