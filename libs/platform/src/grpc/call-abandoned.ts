import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { ServerUnaryCall } from '@grpc/grpc-js';
import { ServiceError } from '../errors';

/** Why work for a call was dropped: its caller already had its answer (the deadline's) and will not read ours. */
export function callAbandonedError(): ServiceError {
  return new ServiceError('SERVICE.TIMEOUT', 504, 'The caller stopped waiting before the request was written; nothing was written, send the same request again.');
}

/**
 * A signal that aborts once the caller of a unary call stops waiting for its answer: the call's
 * deadline passed or the caller hung up. grpc-js reports both as the call's `cancelled` event, and
 * also after an answer went out, when nothing is left to drop. The signal's reason is
 * `callAbandonedError()`.
 */
export function abandonedSignalOf(call: Pick<ServerUnaryCall<unknown, unknown>, 'cancelled' | 'once'>): AbortSignal {
  const controller = new AbortController();
  if (call.cancelled) controller.abort(callAbandonedError());
  else call.once('cancelled', () => controller.abort(callAbandonedError()));
  return controller.signal;
}

/**
 * The abandoned signal (`abandonedSignalOf`) of the unary gRPC call a handler serves, for work that
 * queues and is worth dropping once nobody waits for it. grpc-js hands handlers the call itself as
 * their third argument, after the request and its metadata.
 */
export const CallAbandoned = createParamDecorator((_data: unknown, context: ExecutionContext): AbortSignal =>
  abandonedSignalOf(context.getArgByIndex<ServerUnaryCall<unknown, unknown>>(2)),
);
