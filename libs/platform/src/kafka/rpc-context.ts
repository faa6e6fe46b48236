import { randomUUID } from 'node:crypto';
import type { KafkaContext } from '@nestjs/microservices';
import { RPC_REQUEST_ID_HEADER } from '@bvs/contracts';

/** The caller's request id, or a fresh one for a caller that sent none, so every effect is traceable. */
export function rpcRequestIdOf(context: KafkaContext): string {
  const value = context.getMessage().headers?.[RPC_REQUEST_ID_HEADER];
  const text = Buffer.isBuffer(value) ? value.toString('utf8') : typeof value === 'string' ? value : undefined;
  return text && text.length > 0 && text.length <= 128 ? text : randomUUID();
}
