import { Metadata, status as GrpcStatus } from '@grpc/grpc-js';
import {
  ERROR_CODE_METADATA,
  ERROR_DETAILS_METADATA,
  errorBodyFromMetadata,
  errorMetadataOf,
  grpcStatusForHttp,
  HTTP_STATUS_METADATA,
  httpStatusForGrpc,
} from '../src/grpc/grpc-status-mapping';

/**
 * The statuses grpc-contract.unit.spec.ts leaves out (its round trips are 400, 401, 403, 404, 409,
 * 429, 500, 503 and 504), and the limits on what a refusal's metadata may carry.
 */
describe('gRPC and HTTP statuses', () => {
  it.each([
    [412, GrpcStatus.FAILED_PRECONDITION],
    [501, GrpcStatus.UNIMPLEMENTED],
  ])('given HTTP %i, when it travels as gRPC status %i, then it maps back to itself', (http, grpc) => {
    expect(grpcStatusForHttp(http)).toBe(grpc);
    expect(httpStatusForGrpc(grpc)).toBe(http);
  });

  it.each([405, 410, 413, 415, 418])('given another 4xx (%i), when it travels, then gRPC says FAILED_PRECONDITION: the caller, not the service, is at fault', (http) => {
    expect(grpcStatusForHttp(http)).toBe(GrpcStatus.FAILED_PRECONDITION);
  });

  it.each([500, 502, 505, 599])('given another 5xx (%i), when it travels, then gRPC says INTERNAL', (http) => {
    expect(grpcStatusForHttp(http)).toBe(GrpcStatus.INTERNAL);
  });

  it.each([
    ['OUT_OF_RANGE', 400, GrpcStatus.OUT_OF_RANGE],
    ['ABORTED', 409, GrpcStatus.ABORTED],
    ['DEADLINE_EXCEEDED', 504, GrpcStatus.DEADLINE_EXCEEDED],
    ['UNAVAILABLE', 503, GrpcStatus.UNAVAILABLE],
    ['UNKNOWN', 500, GrpcStatus.UNKNOWN],
    ['INTERNAL', 500, GrpcStatus.INTERNAL],
    ['DATA_LOSS', 500, GrpcStatus.DATA_LOSS],
    ['CANCELLED', 500, GrpcStatus.CANCELLED],
  ])('given gRPC %s without our metadata, when mapped, then it is HTTP %i', (_, http, grpc) => {
    expect(httpStatusForGrpc(grpc)).toBe(http);
  });
});

describe('a refusal in gRPC metadata', () => {
  it('given details larger than 4 KiB, when written, then the details are left out and the code and status still travel', () => {
    const body = { code: 'REQUEST.INVALID', status: 400, message: 'Bad.', details: { blob: 'x'.repeat(5_000) } };

    expect(errorBodyFromMetadata(errorMetadataOf(body), body.message)).toEqual({ code: 'REQUEST.INVALID', status: 400, message: 'Bad.' });
  });

  it('given details of exactly 4 KiB of JSON, when written, then they travel', () => {
    const empty = JSON.stringify({ blob: '' }).length;
    const body = { code: 'REQUEST.INVALID', status: 400, message: 'Bad.', details: { blob: 'x'.repeat(4_096 - empty) } };

    expect(errorBodyFromMetadata(errorMetadataOf(body), body.message)).toEqual(body);
  });

  it.each([
    ['not JSON', '{field:'],
    ['a JSON array', '["field"]'],
    ['JSON null', 'null'],
    ['a JSON string', '"field"'],
  ])('given details that are %s, when read, then they are dropped and the code and status kept', (_, raw) => {
    const metadata = new Metadata();
    metadata.set(ERROR_CODE_METADATA, 'BILLING.METER_NOT_FOUND');
    metadata.set(HTTP_STATUS_METADATA, '422');
    metadata.set(ERROR_DETAILS_METADATA, raw);

    expect(errorBodyFromMetadata(metadata, 'No such meter.')).toEqual({ code: 'BILLING.METER_NOT_FOUND', status: 422, message: 'No such meter.' });
  });

  it.each(['600', '399', '422.5', 'abc', ''])('given an HTTP status of %p, when read, then there is no refusal to keep', (status) => {
    const metadata = new Metadata();
    metadata.set(ERROR_CODE_METADATA, 'X.Y');
    metadata.set(HTTP_STATUS_METADATA, status);

    expect(errorBodyFromMetadata(metadata, 'x')).toBeUndefined();
  });

  it('given a status but no code, when read, then there is no refusal to keep', () => {
    const metadata = new Metadata();
    metadata.set(HTTP_STATUS_METADATA, '404');

    expect(errorBodyFromMetadata(metadata, 'x')).toBeUndefined();
  });
});
