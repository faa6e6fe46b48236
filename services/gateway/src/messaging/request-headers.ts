import { RPC_REQUEST_ID_HEADER } from '@bvs/contracts';
import type { Request } from 'express';

/** The request id travels with every request so the services' logs and events carry it. */
export function requestHeadersOf(request: Request & { id?: unknown }): Record<string, string> {
  return typeof request.id === 'string' ? { [RPC_REQUEST_ID_HEADER]: request.id } : {};
}
