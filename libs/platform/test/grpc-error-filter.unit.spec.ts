import { status as GrpcStatus, type Metadata } from '@grpc/grpc-js';
import type { ArgumentsHost } from '@nestjs/common';
import { firstValueFrom } from 'rxjs';
import { GrpcErrorFilter } from '../src/grpc/grpc-error.filter';
import { errorBodyFromMetadata } from '../src/grpc/grpc-status-mapping';

/** No call to describe: the filter only names the method in its log line. */
const host = { getArgByIndex: () => undefined } as unknown as ArgumentsHost;

async function replyTo(exception: unknown): Promise<{ code: number; status: number | undefined; errorCode: string | undefined }> {
  const reply = (await firstValueFrom(new GrpcErrorFilter().catch(exception, host)).catch((error: unknown) => error)) as {
    code: number;
    details: string;
    metadata: Metadata;
  };
  const body = errorBodyFromMetadata(reply.metadata, reply.details);
  return { code: reply.code, status: body?.status, errorCode: body?.code };
}

describe('GrpcErrorFilter', () => {
  it('given every pooled connection stayed busy, then the caller gets UNAVAILABLE (503): nothing was written, the request may be sent again', async () => {
    await expect(replyTo(new Error('timeout exceeded when trying to connect'))).resolves.toEqual({
      code: GrpcStatus.UNAVAILABLE,
      status: 503,
      errorCode: 'SERVICE.UNAVAILABLE',
    });
  });

  it('given the database refused the connection, then the caller gets UNAVAILABLE (503)', async () => {
    await expect(replyTo(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).resolves.toMatchObject({
      code: GrpcStatus.UNAVAILABLE,
      status: 503,
    });
  });

  it('given a bug, then the caller learns only that it failed (INTERNAL, 500)', async () => {
    await expect(replyTo(new TypeError('cannot read properties of undefined'))).resolves.toEqual({
      code: GrpcStatus.INTERNAL,
      status: 500,
      errorCode: 'INTERNAL.UNEXPECTED',
    });
  });
});
