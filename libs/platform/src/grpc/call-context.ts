import { randomUUID } from 'node:crypto';
import type { Metadata } from '@grpc/grpc-js';
import { REQUEST_ID_HEADER } from '../logging';

const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

/** The caller's request id from the call's metadata, or a fresh one, so every effect is traceable. */
export function grpcRequestIdOf(metadata: Metadata): string {
  const value = metadata.get(REQUEST_ID_HEADER)[0];
  return typeof value === 'string' && REQUEST_ID_PATTERN.test(value) ? value : randomUUID();
}
